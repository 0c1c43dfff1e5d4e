/**
 * Words for synthetic MovieLens-like catalogs: the 20 genre names of ML-20M (with how
 * often each occurs there, so the synthetic mix looks alike) and title vocabularies. Each
 * genre has its own words, so a title's bag of words carries signal about its genres (and
 * through them, its hidden taste factors): DSSM-style title features have something to learn.
 */

/** ML-20M's genre names, alphabetical as in its movies.csv, '(no genres listed)' last. */
export const MOVIELENS_GENRES = [
  'Action', 'Adventure', 'Animation', 'Children', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir',
  'Horror', 'IMAX', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western', '(no genres listed)',
] as const;

/** Movies per genre in ML-20M's movies.csv (27,278 movies), same order as MOVIELENS_GENRES. */
export const GENRE_COUNTS_ML20M = [
  3520, 2329, 1027, 1139, 8374, 2939, 2471, 13344, 1412, 330, 2611, 196, 1036, 1514, 4127, 1743, 4178, 1194, 676, 246,
];

/** ml-100k's 19 genre flags (u.genre), in flag order. */
export const ML100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

/** Share of ML-20M's 20,000,263 ratings at each half star 0.5..5.0. */
export const RATING_SHARES_ML20M = [0.012, 0.034, 0.014, 0.0715, 0.044, 0.2145, 0.11, 0.278, 0.077, 0.145];

/** Share of ml-1m's 1,000,209 ratings at each whole star 1..5. */
export const RATING_SHARES_ML1M = [0.0562, 0.1075, 0.2611, 0.3489, 0.2263];

export const ADJECTIVES = [
  'Silent', 'Last', 'Lost', 'Broken', 'Golden', 'Hidden', 'Dark', 'Wild', 'Secret', 'Little', 'Long', 'Bright',
  'Cold', 'Red', 'Blue', 'Final', 'Second', 'Forgotten', 'Burning', 'Quiet', 'Endless', 'Strange', 'Sweet', 'Crooked',
];

export const NOUNS = [
  'River', 'Road', 'City', 'House', 'Night', 'Summer', 'Winter', 'Heart', 'Garden', 'Island', 'Mountain', 'Letter',
  'Mirror', 'Window', 'Promise', 'Journey', 'Sky', 'Harbor', 'Season', 'Door', 'Shadow', 'Song', 'Stranger', 'Bridge',
];

/** Words typical of each genre (same order as MOVIELENS_GENRES). */
export const GENRE_WORDS: readonly (readonly string[])[] = [
  ['Fury', 'Strike', 'Bullet', 'Force', 'Mission', 'Rage', 'Target', 'Thunder', 'Impact', 'Vengeance'],
  ['Quest', 'Treasure', 'Voyage', 'Expedition', 'Kingdom', 'Jungle', 'Legend', 'Sea', 'Compass', 'Frontier'],
  ['Toy', 'Dragon', 'Bunny', 'Robot', 'Panda', 'Kitten', 'Cartoon', 'Penguin', 'Bear', 'Puppet'],
  ['Puppy', 'Friends', 'Kids', 'School', 'Birthday', 'Pony', 'Camp', 'Family', 'Holiday', 'Rainbow'],
  ['Wedding', 'Party', 'Buddies', 'Crazy', 'Vacation', 'Dude', 'Roommates', 'Trouble', 'Oops', 'Mess'],
  ['Heist', 'Gangster', 'Mob', 'Score', 'Killer', 'Cop', 'Street', 'Godfather', 'Deal', 'Witness'],
  ['Story', 'Life', 'Truth', 'Inside', 'Portrait', 'Behind', 'Making', 'Voices', 'Planet', 'Revolution'],
  ['Daughter', 'Father', 'Mother', 'Memory', 'Prayer', 'Silence', 'Years', 'Tears', 'Soul', 'Sister'],
  ['Wizard', 'Magic', 'Spell', 'Sword', 'Enchanted', 'Fairy', 'Realm', 'Crown', 'Curse', 'Unicorn'],
  ['Lady', 'Detective', 'Double', 'Alibi', 'Rain', 'Smoke', 'Gun', 'Dame', 'Midnight', 'Fog'],
  ['Blood', 'Scream', 'Evil', 'Haunting', 'Zombie', 'Nightmare', 'Dead', 'Witch', 'Terror', 'Grave'],
  ['Ocean', 'Everest', 'Space', 'Wings', 'Giants', 'Wonders', 'Deep', 'Flight', 'Cosmos', 'Safari'],
  ['Dance', 'Melody', 'Broadway', 'Singing', 'Stage', 'Music', 'Rhythm', 'Jazz', 'Opera', 'Chorus'],
  ['Clue', 'Riddle', 'Puzzle', 'Case', 'Vanishing', 'Key', 'Mystery', 'Cipher', 'Whisper', 'Affair'],
  ['Love', 'Kiss', 'Paris', 'Romance', 'Valentine', 'Darling', 'Honeymoon', 'Bride', 'Moonlight', 'Lovers'],
  ['Star', 'Galaxy', 'Alien', 'Android', 'Future', 'Orbit', 'Machine', 'Mars', 'Cyborg', 'Time'],
  ['Danger', 'Edge', 'Pursuit', 'Fear', 'Trap', 'Conspiracy', 'Hunt', 'Panic', 'Escape', 'Obsession'],
  ['Battle', 'Soldier', 'Platoon', 'Front', 'Glory', 'Enemy', 'Empire', 'Victory', 'Regiment', 'Trench'],
  ['Outlaw', 'Rider', 'Sheriff', 'Gunfighter', 'Canyon', 'Ranch', 'Saddle', 'Desert', 'Cowboy', 'Stagecoach'],
  ['Untitled', 'Project', 'Film', 'Feature', 'Reel', 'Picture', 'Footage', 'Scene', 'Draft', 'Sketch'],
];
