import { Option, type Command as Program } from 'commander';
import { configGet, configList, configSet, configUnset, getContexts, setContext, useContext, type ShowOriginOption } from '../commands/config.js';
import type { Context } from '../context.js';
import { outputOptions } from './shared-options.js';

/** `fleetplane config …`: the layered settings and the named contexts. */
export function registerConfig(program: Program, ctx: Context): void {
  const config = program.command('config').description('settings: flags > environment > .fleetplanerc > the user config file');
  config
    .command('list')
    .description('every effective setting as key=value')
    .option('--show-origin', 'prefix each with where it came from (flag, env, file, login, default)')
    .action((opts: ShowOriginOption) => configList(ctx, opts));
  config
    .command('get')
    .description('one effective setting: context, url, output or contexts.NAME.url')
    .argument('<key>')
    .option('--show-origin', 'prefix it with where it came from')
    .action((key: string, opts: ShowOriginOption) => configGet(ctx, key, opts));
  config
    .command('set')
    .description("write a setting to the user config file (url: the current context's); never a secret")
    .argument('<key>')
    .argument('<value>')
    .action((key: string, value: string) => configSet(ctx, key, value));
  config
    .command('unset')
    .description('remove a setting from the user config file')
    .argument('<key>')
    .action((key: string) => configUnset(ctx, key));
  config
    .command('use-context')
    .description('make a context the current one (in the user config file)')
    .argument('<name>')
    .action((name: string) => useContext(ctx, name));
  config
    .command('set-context')
    .description('create or change a named context')
    .argument('<name>')
    .requiredOption('--url <url>', 'the gateway URL of the context')
    .action((name: string, opts: { url: string }) => setContext(ctx, name, opts));
  outputOptions(config.command('get-contexts').description('list the contexts, the current one marked *'))
    // For the completion scripts (`--context <TAB>`): one name a line, nothing else.
    .addOption(new Option('--names', 'only the names, one a line').hideHelp())
    .action((opts: { names?: boolean }) => getContexts(ctx, opts));
}
