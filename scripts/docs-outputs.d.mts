/** Where the demo's output block sits in the README text: the text between its fences, and its offsets. */
export function readmeDemoBlock(readme: string): { start: number; end: number; text: string };
/** The demo's output with the metrics port and the elapsed time replaced by placeholders. */
export function normaliseDemo(text: string): string;
