// The wire contract between a station and the central server: imported by both, imports neither.
export * from './config';
export * from './messages';
export * from './paths';
export * from './records';
