/**
 * Why a `$regex` pattern may take super-linear time on a backtracking engine (V8's), or
 * undefined when it is accepted. Conservative: a repetition may not apply to something that
 * itself repeats (star height > 1, as in `(a+)+`, `(a*)*`, `(\w+\s?){2,}`), nor to a group whose
 * alternatives can start with the same character (`(a|ab)*`, `(\d|x)+`: a class or `.` counts
 * as any character). Those are the shapes of exponential backtracking. Polynomial cases
 * are bounded by allowing at most {@link MAX_UNBOUNDED} variable repetitions per pattern, and by
 * the input length (conditions.ts, MAX_REGEX_INPUT_CHARS).
 *
 * A small scanner rather than a dependency: safe-regex2 applies the same star-height rule but
 * brings a full regex tokenizer into the 13 kB Edge budget of the flags entry.
 */
export function regexRisk(pattern: string): string | undefined {
  const stack: Frame[] = [newFrame()];
  /** The last atom: what a quantifier would apply to. */
  let atom: Atom | undefined;
  let unboundedCount = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const frame = stack[stack.length - 1] as Frame;
    if (c === '\\') {
      const next = pattern[++i] ?? '';
      atom = { first: /[a-zA-Z0-9]/.test(next) ? ANY : next.toLowerCase(), repeats: false };
      start(frame, atom.first);
    } else if (c === '[') {
      // A class, to its closing bracket (a `]` first, or escaped, does not close it).
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) if (pattern[j] === '\\') j++;
      i = j;
      atom = { first: ANY, repeats: false };
      start(frame, ANY);
    } else if (c === '(') {
      // Skip the group's prefix: (?: (?= (?! (?<= (?<! (?<name>
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] !== '<') i += 2;
        else if (pattern[i + 3] === '=' || pattern[i + 3] === '!') i += 3;
        else i = Math.max(i + 2, pattern.indexOf('>', i));
      }
      stack.push(newFrame());
      atom = undefined;
    } else if (c === ')') {
      if (stack.length === 1) return undefined; // unbalanced: the RegExp constructor reports it
      const closed = stack.pop() as Frame;
      closed.firsts.push(closed.current ?? EMPTY);
      const parent = stack[stack.length - 1] as Frame;
      atom = { first: ANY, repeats: closed.repeats, overlaps: overlapping(closed.firsts) };
      start(parent, closed.firsts.length === 1 ? (closed.firsts[0] as string) : ANY);
      if (closed.repeats) parent.repeats = true;
    } else if (c === '|') {
      frame.firsts.push(frame.current ?? EMPTY);
      frame.current = undefined;
      atom = undefined;
    } else if (c === '*' || c === '+' || c === '{' || c === '?') {
      let repeat = c !== '?';
      let unbounded = false;
      if (c === '{') {
        const bound = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (bound === null) {
          atom = { first: '{', repeats: false };
          start(frame, '{');
          continue;
        }
        i += bound[0].length - 1;
        // Variable length: {n,} and {n,m} with m > n (backtracking chooses among the lengths).
        unbounded = bound[2] !== undefined && (bound[3] === '' || Number(bound[3]) > Number(bound[1]));
        repeat = bound[2] === undefined ? Number(bound[1]) > 1 : bound[3] !== '1' && bound[3] !== '0';
      }
      if (pattern[i + 1] === '?') i++; // lazy: same risk
      if (c === '*' || c === '+' || (c === '{' && unbounded)) {
        if (++unboundedCount > MAX_UNBOUNDED) {
          return `has more than ${MAX_UNBOUNDED} variable repetitions (*, +, {n,}, {n,m}), whose backtracking grows as a power of the input length`;
        }
      }
      if (repeat && atom !== undefined) {
        if (atom.repeats) return 'repeats a part that itself repeats (nested quantifiers, e.g. (a+)+), which can backtrack exponentially';
        if (atom.overlaps) {
          return 'repeats a group whose alternatives can match the same text (e.g. (a|ab)*), which can backtrack exponentially';
        }
        frame.repeats = true;
      }
      atom = undefined;
    } else {
      // Lowercased: under $regexi, "a" and "A" are the same start.
      atom = { first: c === '.' ? ANY : c.toLowerCase(), repeats: false };
      start(frame, atom.first);
    }
  }
  return undefined;
}

/** A group being scanned: the first character of each alternative, and whether anything repeats. */
interface Frame {
  firsts: string[];
  /** First character of the alternative being scanned, once it has one. */
  current: string | undefined;
  repeats: boolean;
}

interface Atom {
  first: string;
  /** The atom is a group holding a repetition. */
  repeats: boolean;
  /** The atom is a group whose alternatives can start alike. */
  overlaps?: boolean;
}

/**
 * Most variable-length repetitions (`*`, `+`, `{n,}`, `{n,m}` with m > n) in one pattern. Each can multiply the backtracking by the input
 * length (`.*.*=` is cubic, `.*.*.*=` quartic: 118 s on 1,024 characters); two keep the worst
 * case within MAX_REGEX_INPUT_CHARS small (docs/flags.md#regex-targeting).
 */
export const MAX_UNBOUNDED = 2;

const ANY = '\u0000any';
const EMPTY = '\u0000empty';
const newFrame = (): Frame => ({ firsts: [], current: undefined, repeats: false });
const start = (frame: Frame, first: string) => {
  frame.current ??= first;
};

/** True when two alternatives may start with the same character (or one is empty). */
function overlapping(firsts: string[]): boolean {
  if (firsts.length < 2) return false;
  const seen = new Set<string>();
  for (const first of firsts) {
    if (first === ANY || first === EMPTY || seen.has(first)) return true;
    seen.add(first);
  }
  return false;
}
