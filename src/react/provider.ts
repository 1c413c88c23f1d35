import { createContext, createElement, type ReactNode, useMemo } from 'react';
import { type Tracker, trackerFor } from '../browser/tracker.js';
import type { FlagsSnapshot } from '../browser/wire.js';

/** What the hooks read: the snapshot and, when tracking is on, the page's tracker. */
export interface FlagsContextValue {
  /** The server's answers. */
  snapshot: FlagsSnapshot;
  /** Sends exposures and conversions; undefined without an endpoint, or on the server. */
  tracker: Tracker | undefined;
}

/** The context of {@link FlagsProvider}; undefined outside one (the hooks then answer defaults). */
export const FlagsContext = createContext<FlagsContextValue | undefined>(undefined);

/** Props of {@link FlagsProvider}. */
export interface FlagsProviderProps {
  /** The answers the server evaluated for this request (`createSnapshot` from `@tiqology/elite/react/server`). */
  snapshot: FlagsSnapshot;
  /**
   * The tracking route (`createTrackingHandler`), e.g. `/api/elite`; exposures and conversions go
   * there in batches. `false` (the default) sends nothing.
   */
  endpoint?: string | false;
  /** How long events wait for company before a batch is sent, in ms. Default 500. */
  flushMs?: number;
  /** The components that read flags. */
  children?: ReactNode;
}

/**
 * Makes a server-made snapshot of answers available to the hooks. It evaluates nothing: the
 * first client render reads the same answers the server rendered with, so hydration finds
 * nothing to disagree with and no default flashes before the right variant.
 */
export function FlagsProvider(props: FlagsProviderProps): ReactNode {
  const { snapshot, endpoint = false, flushMs, children } = props;
  const value = useMemo<FlagsContextValue>(
    () => ({
      snapshot,
      // No tracker during server rendering: exposures are sent from effects, which run in the browser only.
      tracker: endpoint !== false && typeof window !== 'undefined' ? trackerFor({ endpoint, flushMs }) : undefined,
    }),
    [snapshot, endpoint, flushMs],
  );
  return createElement(FlagsContext.Provider, { value }, children);
}
