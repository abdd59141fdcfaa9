// Finding a guest at the door by name (GW8 in ./SPEC.md): words in any order, no case or accents.
import { fold, queryWords } from './search';

export function search<R extends { readonly holder_name: string; readonly tier_name: string }>(
  rows: readonly R[],
  query: string,
): R[] {
  const words = queryWords(query);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = fold(`${row.holder_name} ${row.tier_name}`);
    return words.every((word) => text.includes(word));
  });
}
