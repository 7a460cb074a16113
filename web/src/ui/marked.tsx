// Search results from the server come as a text and where its matching
// words are; this draws them marked.

/** The text with the `[start, end)` ranges (UTF-16 offsets, in order) in
 * <mark>, as text nodes only. */
export function marked(text: string, ranges: readonly (readonly number[])[]) {
  const parts = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(text.slice(at));
  return parts;
}
