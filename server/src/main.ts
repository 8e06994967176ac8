/** Entry point: read the environment, build the app, listen; shut down cleanly on SIGTERM/SIGINT. */
import { ConfigError, optionsFromEnv } from './config.ts';
import { createApp } from './app.ts';
import { createEngineApp, createGatewayApp } from './scale/roles.ts';
import { DataError } from './district/district.loader.ts';
import { StartupError } from './ops/startup.ts';

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  // ROLE=all: engine and gateway in this process; engine / gateway: one half, the other across Redis (scale/roles.ts).
  const app = options.role === 'all' ? await createApp(options) : options.role === 'engine' ? await createEngineApp(options) : await createGatewayApp(options);
  const url = await app.listen();
  const buildings = 'district' in app ? app.district.buildings.length : app.buildings;
  app.http.log.info(`West Bund Twin ${options.role === 'all' ? '' : `${options.role} `}on ${url} (simulator ${options.simulator.mode}, ${buildings} buildings)`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info(`${signal}: shutting down`);
    // app.close() cuts off clients after SHUTDOWN_TIMEOUT_S; this is only the backstop should something else hang.
    setTimeout(() => {
      app.http.log.error('shutdown did not finish in time; exiting without it');
      process.exit(1);
    }, options.limits.shutdownTimeoutMs + 10_000).unref();
    try {
      await app.close();
    } catch (err) {
      app.http.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    // non-zero when the process stops because it must (an engine that lost its lease), zero on a signal
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof DataError) console.error(`The district data set is invalid; the server did not start.\n${err.message}`);
  else if (err instanceof StartupError) console.error(err.message);
  else if (err instanceof ConfigError) console.error(`Bad configuration; the server did not start.\n${err.message}`);
  else console.error(err);
  process.exit(1);
});
