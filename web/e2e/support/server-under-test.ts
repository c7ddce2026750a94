/**
 * THE place the browser tests get their server from: the real Huza (real-huza.ts), started in-process
 * over a fresh PGlite database and loaded with fixture.ts.
 */
import type { StartServer } from './harness.ts';
import { startRealHuza } from './real-huza.ts';

export const startServer: StartServer = startRealHuza;
