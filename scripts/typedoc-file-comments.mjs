// A TypeDoc plugin (local, no dependency): a class without a doc comment of its own gets its
// source file's header comment. This project documents each model, layer and optimizer in
// the header of its file (one class per file, read top to bottom by students); without this
// TypeDoc would show nothing, or copy the comment of an interface the class implements
// ("The contract between a model and fit." on every model).
import ts from 'typescript';
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** The text of the first /** … *\/ block at the top of a source file, without the stars. */
function headerOf(sourceFile) {
  const ranges = ts.getLeadingCommentRanges(sourceFile.text, 0) ?? [];
  for (const r of ranges) {
    const raw = sourceFile.text.slice(r.pos, r.end);
    if (!raw.startsWith('/**')) continue;
    return raw.replace(/^\/\*\*\s*|\s*\*\/$/g, '').split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
  }
  return null;
}

export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Class) || reflection.comment) return;
    const symbol = context.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile();
    const text = file && headerOf(file);
    if (text) reflection.comment = new Comment([{ kind: 'text', text }]);
  });
}
