import { EliteError } from '../../internal/errors.js';
import type { BufferedEvent, EventBuffer } from '../events.js';
import { checkTrackInput } from '../track-input.js';
import type { FlagUser, TrackOptions } from '../types.js';
import type { ClientSettings } from './options.js';
import type { Reporter } from './report.js';

/**
 * Creates the `track()` of a client: checks the input (see ../track-input.ts) and buffers a
 * conversion event. Invalid input throws `INVALID_EVENT` when `strict`, else it is dropped,
 * counted in `eventsDropped`, and warned about once per kind of problem.
 */
export function createTrack(settings: ClientSettings, events: EventBuffer, { warnOnce }: Reporter) {
  const { environment, strict, clock } = settings;
  return (eventName: string, user: FlagUser, trackOptions: TrackOptions = {}): void => {
    const input = checkTrackInput(eventName, user, trackOptions);
    if (!Array.isArray(input)) {
      const event: BufferedEvent = { type: 'conversion', environment, userId: input.userId, eventName, occurredAt: clock() };
      if (input.value !== undefined) event.value = input.value;
      if (input.properties !== undefined) event.properties = input.properties;
      if (!events.push(event)) warnOnce('full', 'elite/flags: the event buffer is full (maxBuffer); events are dropped and counted');
      return;
    }
    const problem = input;
    if (strict) throw new EliteError('INVALID_EVENT', `elite/flags: track(): ${problem[1]}`, { field: problem[0] });
    events.drop();
    warnOnce(problem[0], `elite/flags: track(): ${problem[1]}; event dropped (counted in stats().eventsDropped)`);
  };
}
