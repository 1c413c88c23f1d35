/**
 * "Did you mean": the closest of a few known words (commands, options) to a mistyped one.
 * @packageDocumentation
 */

/**
 * Edit distance between two short words: insertions, deletions, substitutions and swaps of two
 * neighbouring letters each cost 1 (optimal string alignment), so `falgs` is 1 from `flags`.
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the dynamic-programming table: the swap looks two rows back.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known word closest to `input`, when it is close: at most one edit for words of up to 4
 * letters, two for longer ones, and no tie between two candidates. Undefined otherwise, so a
 * wild guess is never offered.
 */
export function closest(input: string, known: readonly string[]): string | undefined {
  const limit = input.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const word of known) {
    const d = editDistance(input.toLowerCase(), word.toLowerCase());
    if (d < bestDistance) {
      best = word;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) tie = true;
  }
  return best === undefined || tie ? undefined : best;
}

/** `; did you mean "x"?` for a close known word, else `''`. */
export function didYouMean(input: string, known: readonly string[]): string {
  const match = closest(input, known);
  return match === undefined ? '' : `; did you mean ${match}?`;
}
