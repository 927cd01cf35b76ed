/**
 * What every command starts from: the validated configuration, the root logger and the project's
 * datasets, each built once (config and datasets validated at boot: a bad one exits 2 listing every
 * problem). The CLI parses flags into BootOptions; nothing else reads the configuration or the
 * datasets folder.
 */
import { type FerryConfig, loadConfig } from '../config/load.js'
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
  /** send the logs to this file instead of stderr */
  logFile?: string
}

export interface App {
  config: FerryConfig
  logger: Logger
  project: Project
  cwd: string
}

export function boot(options: BootOptions): App {
  const config = loadConfig({
    env: options.env,
    cwd: options.cwd,
    file: options.configFile,
    datasets: options.datasets,
  })
  const logger = createLogger({
    level: options.logLevel ?? config.log.level,
    pretty: options.pretty,
    file: options.logFile,
  })
  const project = loadProject(config.datasets || undefined, options.cwd)
  return { config, logger, project, cwd: options.cwd }
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
