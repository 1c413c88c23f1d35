import { messageOf } from '../../internal/errors.js';
import { EVENT_LIMITS, isStorableText } from '../../internal/limits.js';
import type { WarnOnce } from '../../internal/warn-once.js';
import { type CompiledFlag, isPlacement, type PackedOutcome, reasonOf, targetingKeyOf, variantIndexOf } from '../evaluate.js';
import type { EventBuffer } from '../events.js';
import { ExposureDedupe } from '../exposure-dedupe.js';
import { storableUserId } from '../track-input.js';
import type { FlagUser } from '../types.js';
import type { ClientSettings } from './options.js';
import type { Counters } from './report.js';

/**
 * Turns evaluations into exposure events: one per (user, flag, variant) when an evaluation
 * places the user in an arm of an experiment, deduplicated in memory (at most `dedupeMax`
 * users remembered) and buffered for the store. Runs on the hot path of tracked evaluations:
 * a repeated exposure costs one LRU lookup and allocates nothing.
 */
export class Exposures {
  readonly #environment: string;
  readonly #events: EventBuffer;
  readonly #clock: () => number;
  readonly #counters: Counters;
  readonly #warnOnce: WarnOnce;
  readonly #dedupe: ExposureDedupe;
  readonly #onExposure: ClientSettings['onExposure'];

  constructor(settings: ClientSettings, events: EventBuffer, counters: Counters, warnOnce: WarnOnce) {
    this.#environment = settings.environment;
    this.#events = events;
    this.#clock = settings.clock;
    this.#counters = counters;
    this.#warnOnce = warnOnce;
    this.#dedupe = new ExposureDedupe(settings.dedupeMax);
    this.#onExposure = settings.onExposure;
  }

  /** Users remembered, across all flags, to deduplicate exposures. */
  get size(): number {
    return this.#dedupe.size;
  }

  /** Records an exposure once per (user, flag, variant) when the outcome places the user in an arm. */
  record(flag: CompiledFlag, user: FlagUser, outcome: PackedOutcome): void {
    if (flag.toggle || !isPlacement(outcome)) return;
    const userId = targetingKeyOf(user);
    if (userId === undefined) return; // a rule matched on attributes alone: nobody to attribute to
    // A user id no store can keep: the answer stands, the exposure is not recorded. The length
    // is checked before the dedupe (a long id is not kept in memory), the text only for a new
    // exposure, off the deduplicated hot path (a bad id is remembered, so counted once).
    if (userId.length > EVENT_LIMITS.userIdChars) {
      this.#unstorable(userId);
      return;
    }
    const index = variantIndexOf(outcome);
    if (!this.#dedupe.record(flag.key, userId, index)) return;
    if (!isStorableText(userId)) {
      this.#unstorable(userId);
      return;
    }
    this.#counters.exposures++;
    const variant = flag.variantKeys[index] as string;
    const event = {
      type: 'exposure',
      environment: this.#environment,
      flagKey: flag.key,
      variant,
      userId,
      occurredAt: this.#clock(),
    } as const;
    this.#events.push(event);
    if (this.#onExposure !== undefined) {
      // In a microtask, never awaited: a throw or a rejection of the app's callback is caught
      // here, and the evaluation that recorded the exposure has already returned. A copy: the
      // buffered event is not the app's to change.
      Promise.resolve({ ...event, reason: reasonOf(outcome) })
        .then(this.#onExposure)
        .catch((error) => {
          this.#counters.onExposureErrors++;
          this.#warnOnce('onExposure', `elite/flags: onExposure failed: ${messageOf(error)} (counted in stats().onExposureErrors)`);
        });
    }
  }

  /** Forgets the exposures of a flag that no longer exists. */
  forget(flagKey: string): void {
    this.#dedupe.forget(flagKey);
  }

  #unstorable(userId: string): void {
    this.#events.drop();
    const problem = storableUserId(userId);
    this.#warnOnce(
      'exposure-user',
      `elite/flags: exposure not recorded: ${typeof problem === 'string' ? 'bad user id' : problem[1]} (counted in stats().eventsDropped)`,
    );
  }
}
