/**
 * Small files in each real format, written by the tests into temp directories. They carry
 * the awkward cases real files have: quoted titles with commas and escaped quotes,
 * '(no genres listed)', Windows line endings, trailing whitespace, empty lines, a missing
 * header, latin1 text.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function tempDir(prefix = 'sg-data-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function write(dir: string, name: string, text: string | Buffer): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** ml-latest-small style: header, CRLF, trailing spaces, an empty line, 10 ratings of 4 users × 5 movies. */
export function mlCsv(dir = tempDir(), opts: { header?: boolean; crlf?: boolean } = {}): string {
  const eol = opts.crlf ?? true ? '\r\n' : '\n';
  const rows = [
    '1,1,4.0,964982703',
    '1,3,4.5,964981247',
    '1,50,5.0,964982931  ',
    '2,3,0.5,1445714835',
    '',
    '2,11,3.0,1445714996',
    '7,1,2.5,1106635946',
    '7,50,3.5,1106635993',
    '7,11,1.0,1106636001',
    '12,3,4.0,1247263465',
    '12,2,5.0,1247263470',
  ];
  const header = opts.header ?? true ? ['userId,movieId,rating,timestamp'] : [];
  write(dir, 'ratings.csv', [...header, ...rows].join(eol) + eol);
  write(dir, 'movies.csv', [
    'movieId,title,genres',
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
    '2,Jumanji (1995),Adventure|Children|Fantasy',
    '3,Grumpier Old Men (1995),Comedy|Romance',
    '11,"American President, The (1995)",Comedy|Drama|Romance',
    '50,"Usual Suspects, The ""Director\'s Cut"" (1995)",Crime|Mystery|Thriller',
    '99,Unrated Movie (2001),(no genres listed)',
  ].join(eol) + eol);
  return dir;
}

/** ml-1m style: `::` separators, latin1 titles, whole stars, no header. */
export function ml1m(dir = tempDir()): string {
  write(dir, 'ratings.dat', ['1::1193::5::978300760', '1::661::3::978302109', '2::1193::4::978298413', '', '3::2355::1::978824291'].join('\n') + '\n');
  write(dir, 'movies.dat', Buffer.from([
    "1193::One Flew Over the Cuckoo's Nest (1975)::Drama",
    "661::James and the Giant Peach (1996)::Animation|Children's|Musical",
    '2355::Bug\'s Life, A (1998)::Animation|Children\'s|Comedy',
    '3000::Am\xe9lie (2001)::Comedy|Romance',
  ].join('\n') + '\n', 'latin1'));
  write(dir, 'users.dat', '1::F::1::10::48067\n');
  return dir;
}

/** ml-100k style: tab-separated u.data, `|` u.item with 19 flags, u.genre. */
export function ml100k(dir = tempDir()): string {
  write(dir, 'u.data', ['196\t242\t3\t881250949', '186\t302\t3\t891717742', '22\t377\t1\t878887116', '196\t302\t5\t881250950'].join('\n') + '\n');
  const genres = ['unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
    'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];
  write(dir, 'u.genre', genres.map((g, i) => `${g}|${i}`).join('\n') + '\n\n');
  const flags = (on: number[]) => genres.map((_, i) => (on.includes(i) ? 1 : 0)).join('|');
  write(dir, 'u.item', Buffer.from([
    `242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|${flags([5])}`,
    `302|L.A. Confidential (1997)|01-Jan-1997||http://us.imdb.com/M/title-exact?L%2EA%2E+Confidential+(1997)|${flags([6, 10, 13, 16])}`,
    `377|Heavyweights (1994)|01-Jan-1994||http://us.imdb.com/M/title-exact?Heavyweights%20(1994)|${flags([4, 5])}`,
    `1|Caf\xe9 Society (1995)|01-Jan-1995||http://x|${flags([0])}`,
  ].join('\n') + '\n', 'latin1'));
  return dir;
}

/** Netflix per-movie files in training_set/ plus movie_titles.txt. */
export function netflixPerMovie(dir = tempDir()): string {
  write(dir, 'training_set/mv_0000001.txt', '1:\n1488844,3,2005-09-06\n822109,5,2005-05-13\n885013,4,2005-10-19\n');
  write(dir, 'training_set/mv_0000002.txt', '2:\r\n1488844,4,2005-09-07\r\n2059652,1,2005-09-05\r\n');
  write(dir, 'training_set/mv_0000017.txt', '17:\n822109,2,2004-01-01\n\n');
  write(dir, 'movie_titles.txt', Buffer.from('1,2003,Dinosaur Planet\n2,2004,Isle of Man TT 2004 Review\n17,NULL,Sex, Lies, and Videotape\n18,1994,Caf\xe9 Unrated\n', 'latin1'));
  return dir;
}

/** The Kaggle layout: combined_data_*.txt with several `id:` headers each. */
export function netflixCombined(dir = tempDir()): string {
  write(dir, 'combined_data_1.txt', '1:\n1488844,3,2005-09-06\n822109,5,2005-05-13\n2:\n1488844,4,2005-09-07\n');
  write(dir, 'combined_data_2.txt', '17:\n822109,2,2004-01-01\n2059652,3,2004-02-29\n');
  write(dir, 'movie_titles.csv', '1,2003,Dinosaur Planet\n2,2004,Isle of Man TT 2004 Review\n17,NULL,Sex, Lies, and Videotape\n');
  return dir;
}
