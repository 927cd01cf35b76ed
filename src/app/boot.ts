/**
 * What every command starts from: the validated configuration, the root logger and the project's
 * datasets, each built once (config and datasets validated at boot: a bad one exits 2 listing every
 * problem). The CLI parses flags into BootOptions; nothing else reads the configuration or the
 * datasets folder.
 */
import { existsSync } from 'node:fs'
import { configFile, type FerryConfig, loadConfig } from '../config/load.js'
import type { DatasetSpec } from '../core/dataset-spec.js'
import { ConfigError } from '../errors.js'
import { createLogger, type Logger } from '../ops/logger.js'
import { loadProject, type Project } from '../project/load.js'

export interface BootOptions {
  env: NodeJS.ProcessEnv
  cwd: string
  /** --config */
  configFile?: string
  /** --datasets */
  datasets?: string
  /** --log-level */
  logLevel?: string
  /** human-readable logs */
  pretty?: boolean
}

export interface App {
  config: FerryConfig
  logger: Logger
  project: Project
  cwd: string
  /** the config file that was read, if any: for messages that say where Ferry looked */
  configFile?: string
}

export function boot(options: BootOptions): App {
  const load = { env: options.env, cwd: options.cwd, file: options.configFile, datasets: options.datasets }
  const config = loadConfig(load)
  const file = configFile(load)
  const logger = createLogger({
    level: options.logLevel ?? config.log.level,
    pretty: options.pretty,
  })
  const project = loadProject(config.datasets || undefined, options.cwd)
  return { config, logger, project, cwd: options.cwd, ...(file ? { configFile: file } : {}) }
}

/**
 * For a read-only command (status, check, report, replay's plan, subscribe) on the local default:
 * ConfigError saying where Ferry looked when there is no Ferry state there, instead of creating an
 * empty one and reporting that it holds nothing (the usual cause: the wrong folder).
 */
export function requireLocalState(app: App): void {
  const { config } = app
  const local = config.kafka.brokers.length === 0 || config.queue.type === 'local' || config.output.type === 'local'
  if (!local || existsSync(config.home)) return
  throw new ConfigError(`no Ferry state in ${config.home}`, [
    `looked in FERRY_HOME ${config.home}; config file: ${app.configFile ?? 'none found'}; working directory ${app.cwd}`,
    'run the command where `ferry nightly` or `ferry demo` ran, or point FERRY_HOME (or --config) at that state',
  ])
}

/**
 * The datasets of a command that processes files, which cannot do without: ConfigError saying where
 * Ferry looked when there are none.
 */
export function requireDatasets(app: App): readonly DatasetSpec[] {
  const { datasetsDir, datasets } = app.project
  if (datasets.length > 0) return datasets
  throw new ConfigError(
    datasetsDir
      ? `the datasets folder ${datasetsDir} holds no dataset`
      : `no datasets folder: none configured and no ./datasets beside the config file or in ${app.cwd}`,
    [
      'create a project with `ferry init`, or infer a dataset from a sample file with `ferry infer FILE --name NAME`',
      'or point --datasets, FERRY_DATASETS or `datasets:` in ferry.config.yaml at your datasets folder',
    ],
  )
}
