/**
 * The install commands the package tells its users to run: in README.md and docs/*.md (shell
 * blocks and inline code), and in the messages of src/ (the install hints of MISSING_DEPENDENCY
 * and of the CLI). Used by test/install/install.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One documented `npm install …`: where it is printed, and its arguments. */
export interface InstallCommand {
  /** `README.md:24`, `src/telemetry/tracing.ts:166`. */
  where: string;
  /** The package specs after `npm install`, options excluded. */
  specs: string[];
}

// `npm install` then the arguments up to the end of the command: a line end, a closing backtick,
// quote or parenthesis, a shell comment, or the end of a sentence.
const COMMAND = /\bnpm (?:install|i|add) ((?:[^\s`'")#;]+ ?)*)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(test|case)\.ts$/.test(name) ? [path] : [];
  });
}

/** Every `npm install` with arguments in `text`, by line. */
export function commandsIn(text: string, file: string): InstallCommand[] {
  const out: InstallCommand[] = [];
  text.split('\n').forEach((line, i) => {
    for (const match of line.matchAll(COMMAND)) {
      const specs = (match[1] ?? '')
        .trim()
        .split(/\s+/)
        .filter((a) => a !== '' && !a.startsWith('-'));
      // A bare `npm install` installs a checkout's own dependencies (CI runs `npm ci`), nothing documented.
      if (specs.length > 0) out.push({ where: `${file}:${i + 1}`, specs });
    }
  });
  return out;
}

/** The install commands of README.md, docs/*.md and the messages in src/. */
export function documentedInstalls(root: string): InstallCommand[] {
  const docs = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const sources = sourceFiles(join(root, 'src')).map((f) => relative(root, f));
  return [...docs, ...sources].flatMap((file) => commandsIn(readFileSync(join(root, file), 'utf8'), file));
}
