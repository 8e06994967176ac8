/** Entry point: read the environment, build the app, listen; shut down cleanly on SIGTERM/SIGINT. */
import { ConfigError, optionsFromEnv } from './config.ts';
import { createApp } from './app.ts';
import { DataError } from './district/district.loader.ts';

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  const app = await createApp(options);
  const url = await app.listen();
  app.http.log.info(`West Bund Twin on ${url} (simulator ${options.simulator.mode}, ${app.district.buildings.length} buildings)`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info(`${signal}: shutting down`);
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof DataError) console.error(`The district data set is invalid; the server did not start.\n${err.message}`);
  else if (err instanceof ConfigError) console.error(`Bad configuration; the server did not start.\n${err.message}`);
  else console.error(err);
  process.exit(1);
});
