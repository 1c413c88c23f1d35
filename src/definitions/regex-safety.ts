/**
 * Why a `$regex` pattern may take super-linear time on a backtracking engine (V8's), or
 * undefined when it is accepted. Conservative, by shape:
 * - a repetition may not apply to a group that itself repeats (star height > 1: `(a+)+`,
 *   `(a*)*`, `(\w+\s?){2,}`) or that holds alternatives (`(a|ab)*`; `(?:foo|bar)+` is refused too:
 *   telling overlapping alternatives apart would cost more Edge bundle than it is worth);
 * - at most {@link MAX_UNBOUNDED} variable-length repetitions per pattern: each can multiply the
 *   backtracking by the input length (`.*.*=` is cubic, `.*.*.*=` quartic: 118 s on 1,024
 *   characters). The input length is bounded too (flags/conditions.ts, MAX_REGEX_INPUT_CHARS).
 *
 * A small scanner rather than a dependency: safe-regex2 applies the same star-height rule but
 * brings a whole regex tokenizer into the 15 kB Edge budget of the flags entry.
 */
export function regexRisk(pattern: string): RegexRisk | undefined {
  // Per open group: [holds a repetition, holds an alternation].
  const stack: [boolean, boolean][] = [[false, false]];
  /** The group just closed, when the next token may be its quantifier. */
  let group: [boolean, boolean] | undefined;
  let variable = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const frame = stack[stack.length - 1] as [boolean, boolean];
    const closed = group;
    group = undefined;
    if (c === '\\') i++;
    else if (c === '[') {
      // To the closing bracket (a `]` first, or escaped, does not close it).
      if (pattern[++i] === '^') i++;
      if (pattern[i] === ']') i++;
      for (; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (c === '(') stack.push([false, false]);
    else if (c === ')' && stack.length > 1) {
      group = stack.pop() as [boolean, boolean];
      (stack[stack.length - 1] as [boolean, boolean])[0] ||= group[0];
    } else if (c === '|') frame[1] = true;
    else if (c === '*' || c === '+' || c === '{') {
      let repeat = true;
      if (c === '{') {
        const bound = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (bound === null) continue;
        i += bound[0].length - 1;
        const min = Number(bound[1]);
        const max = bound[2] === undefined ? min : bound[3] === '' ? Number.POSITIVE_INFINITY : Number(bound[3]);
        repeat = max > 1;
        if (max === min) {
          if (!repeat) continue;
        } else if (++variable > MAX_UNBOUNDED) return 'repetitions';
      } else if (++variable > MAX_UNBOUNDED) return 'repetitions';
      if (closed?.[0] || closed?.[1]) return 'nested';
      if (repeat) frame[0] = true;
    }
  }
  return undefined;
}

/** Most variable-length repetitions (`*`, `+`, `{n,}`, `{n,m}` with m > n) in one pattern. */
export const MAX_UNBOUNDED = 2;

/**
 * Why {@link regexRisk} refuses a pattern: `nested`, a repetition of a group that repeats or has
 * alternatives; `repetitions`, more than {@link MAX_UNBOUNDED} variable-length repetitions.
 */
export type RegexRisk = 'nested' | 'repetitions';

/**
 * The compiled pattern, or null when it is not a valid regular expression or {@link regexRisk} refuses
 * it: what evaluation runs, which treats null as "no match" and needs no message (the messages stay
 * with validation, definitions/conditions.ts, out of the flags entry). Never throws.
 */
export function safeRegex(pattern: string, flags: string): RegExp | null {
  try {
    return regexRisk(pattern) === undefined ? new RegExp(pattern, flags) : null;
  } catch {
    return null;
  }
}
