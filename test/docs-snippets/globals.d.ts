// The reader's own values and modules that docs code blocks use without defining them: a user id,
// the app's series, its store, its Kubernetes client. Typed as the SDK's functions take them, so a
// block that passes one the wrong way fails to compile. test/docs-snippets.test.ts checks that no
// name here is one the SDK exports (a block must import those), and runs only the blocks that use
// none of them. Not part of the project's program (tsconfig.json excludes this file).

type SeriesPoint = import('@tiqology/elite/forecast').SeriesPoint;

// Flags and experiments
declare const userId: string;
declare const storage: import('@tiqology/elite').StorageAdapter;
declare const analytics: { track(event: string, properties: Record<string, unknown>): Promise<void> };

// Telemetry: the messages of a chat request, the path of the app's own price file
declare const messages: import('openai').OpenAI.Chat.ChatCompletionMessageParam[];
declare const pricesPath: string;

// Forecast: the app's hourly series
declare const points: SeriesPoint[];
declare const requestsPerHour: SeriesPoint[];
declare const costPerHour: SeriesPoint[];
declare const hourlySpend: SeriesPoint[];
declare const requests: SeriesPoint[];
declare const tokens: SeriesPoint[];
declare const loadHistory: SeriesPoint[];
declare const lastWeekAndAnHour: SeriesPoint[];
declare const lastTwoWeeks: SeriesPoint[];
declare const lastFiveWeeks: SeriesPoint[];
declare const nextDay: import('@tiqology/elite/forecast').TrafficForecast;
declare function recent(): SeriesPoint[];
declare function nextHour(): Promise<import('@tiqology/elite/forecast').TrafficForecast>;
declare function replicas(): number;
declare function execute(action: import('@tiqology/elite/forecast').ScaleAction): Promise<number>;
declare const k8s: { scale(deployment: string, replicas: number): Promise<void> };
declare const db: { insert(record: import('@tiqology/elite/forecast').AuditRecord): void };

// Storage: a store of the reader's own, for the conformance suite
declare function createMyStorage(): import('@tiqology/elite').StorageAdapter;

// Next.js: the example app's own modules (examples/nextjs/lib/experiments.ts, app/convert-button.tsx)
declare const offerOf: typeof import('../../examples/nextjs/lib/experiments').offerOf;
declare const isPricingVariant: typeof import('../../examples/nextjs/lib/experiments').isPricingVariant;
declare function ConvertButton(props: { priceUsd: number }): JSX.Element;

// Next.js and Vercel are not installed at the root: the few functions the docs call, with the
// signatures of next 15.5 and @vercel/functions 2.
declare module 'next/server' {
  export class NextRequest extends Request {
    readonly nextUrl: URL;
    readonly cookies: { get(name: string): { name: string; value: string } | undefined };
  }
  export function after<T>(task: Promise<T> | (() => T | Promise<T>)): void;
}
declare module 'next/headers' {
  export function headers(): Promise<Pick<Headers, 'get' | 'has' | 'forEach' | 'entries' | 'keys' | 'values'>>;
}
declare module '@vercel/functions' {
  export function waitUntil(promise: Promise<unknown>): void;
}
declare namespace JSX {
  type Element = { readonly type: unknown; readonly props: unknown };
  interface IntrinsicElements {
    [name: string]: Record<string, unknown>;
  }
}
