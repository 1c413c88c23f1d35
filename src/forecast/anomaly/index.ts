/**
 * Streaming anomaly detection on the forecast, and the Numenta Anomaly Benchmark's scoring.
 * @packageDocumentation
 */
export type { AnomalyDetector, DetectorReason, DetectorResult, DetectorState } from './detector.js';
export { detector } from './detector.js';
export type { DetectorOptions, ResolvedDetectorOptions } from './detector-options.js';
export { DETECTOR_DEFAULTS } from './detector-options.js';
export { nabWindows, parseNabTimestamp } from './nab-corpus.js';
export type { NabCostMatrix, NabProfileName } from './nab-profiles.js';
export { NAB_PROFILES, nabProbationLength, nabScaledSigmoid } from './nab-profiles.js';
export type { NabFileInput, NabFileScore, NabScoreOptions, NabScoreResult } from './nab-score.js';
export { scoreNab } from './nab-score.js';
export type { LikelihoodState } from './residual-likelihood.js';
export type { RecurrenceState } from './residual-recurrence.js';
export type { BaselineState } from './seasonal-baseline.js';
export type { NoveltyScale, NoveltyState } from './value-novelty.js';
