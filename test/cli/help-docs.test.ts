import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, GLOBAL_OPTIONS } from '../../src/cli/registry.js';
import { runCli } from './in-process.js';

// docs/cli.md reproduces every `--help` verbatim in a ```text block that starts with the command line
// (`$ tiqology flags --help`). Comparing whole texts makes any drift fail: a renamed option, a new
// default, a command added without its docs.
const repo = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(repo, 'docs/cli.md'), 'utf8');

/** The documented help texts, by the command line that prints them. */
function documentedHelp(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/^```text\n\$ (tiqology[^\n]*--help)\n([\s\S]*?)^```$/gm)) {
    const [, command, body] = match;
    if (command === undefined || body === undefined) continue;
    expect(blocks.has(command), `${command} is documented twice`).toBe(false);
    blocks.set(command, body.replace(/\n$/, ''));
  }
  return blocks;
}

const blocks = documentedHelp(doc);
const help = async (args: string[]) => {
  const { code, stdout, stderr } = await runCli(args, { cwd: repo });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.replace(/\n$/, '');
};

describe('docs/cli.md and --help', () => {
  it('documents exactly the top-level help and one help per command', () => {
    expect([...blocks.keys()].sort()).toEqual(['tiqology --help', ...COMMANDS.map((c) => `tiqology ${c.name} --help`)].sort());
  });

  it('has the top-level help verbatim', async () => {
    expect(blocks.get('tiqology --help')).toBe(await help(['--help']));
  });

  for (const command of COMMANDS) {
    describe(command.name, () => {
      it('has its --help verbatim', async () => {
        expect(blocks.get(`tiqology ${command.name} --help`)).toBe(await help([command.name, '--help']));
      });

      it('names in its help every option it parses, and the docs list the command', async () => {
        const text = await help([command.name, '--help']);
        for (const option of Object.keys({ ...GLOBAL_OPTIONS, ...command.options })) {
          expect(text, `--${option} of ${command.name}`).toMatch(new RegExp(`--${option}\\b`));
        }
        expect(doc).toContain(`| \`tiqology ${command.name}`);
      });
    });
  }

  it('fails on drift: a changed line of a documented help no longer matches', async () => {
    const drifted = documentedHelp(doc.replace('--horizon <span>        how far ahead', '--horizon <span>        how far'));
    expect(drifted.get('tiqology forecast --help')).not.toBe(await help(['forecast', '--help']));
  });
});
