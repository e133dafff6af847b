import { loadOrCreateDevAdminToken } from "./auth/admin-token.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { openDatabase } from "./db/create-database.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { startGateway } from "./gateway.ts";
import { isNativeUws } from "./http/uws.ts";
import { createLogger } from "./obs/logger.ts";

/** Prints one line and exits: for what an operator must fix before the gateway can start. */
function refuseToStart(message: string): never {
  process.stderr.write(`clofri: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) refuseToStart(`configuration error: ${error.message}`);
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Every message lives only in this process: a stray rejection is a bug to log and fix, not a
  // reason to drop every conversation (Node's default would exit).
  process.on("unhandledRejection", (reason) => {
    logger.error({ event: "unhandled_rejection", err: reason });
  });

  const isNative = isNativeUws();
  if (!isNative && !config.allowUwsFallback) {
    refuseToStart(
      "uWebSockets.js loaded its JavaScript fallback, not the native binary (use Node.js 20 on glibc ≥ 2.27, or set ALLOW_UWS_FALLBACK=true to start anyway without WebSockets)",
    );
  }
  logger.info({ event: "starting", uwsNative: isNative, node: process.version, pid: process.pid });

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  logger.info({ event: "database_opened", engine: database.engine });
  const applied = await migrateToLatest(database.db);
  logger.info({ event: "migrations_applied", count: applied.length, names: applied });

  // Development convenience (docs/API.md, admin API): outside production a missing ADMIN_TOKEN is
  // generated into $DATA_DIR/admin-token. Only the file's path is logged.
  if (config.adminToken === undefined && process.env.NODE_ENV !== "production") {
    const devToken = await loadOrCreateDevAdminToken(config.dataDir);
    if (devToken) {
      config = { ...config, adminToken: devToken.token };
      logger.info({ event: "dev_admin_token", path: devToken.path, isNew: devToken.isNew });
    }
  }

  const gateway = await startGateway({ config, logger, database });

  let isStopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ event: "shutdown_started", signal });
    // A last resort, should a step hang: the operator was promised an exit within the timeout.
    const watchdog = setTimeout(() => {
      logger.error({ event: "shutdown_timed_out", timeoutMs: config.timing.shutdownTimeoutMs });
      process.exit(1);
    }, config.timing.shutdownTimeoutMs);
    watchdog.unref();
    await gateway.shutdown();
    await database.close();
    logger.info({ event: "shutdown_complete" });
    process.exit(0);
  };
  process.on("SIGTERM", (signal) => void stop(signal));
  process.on("SIGINT", (signal) => void stop(signal));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  refuseToStart(`could not start: ${message}`);
});
