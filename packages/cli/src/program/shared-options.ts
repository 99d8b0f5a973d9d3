import { Option, type Command as Program } from 'commander';
import { ROLES } from '../api/schemas.js';
import { OUTPUT_FORMATS } from '../config/config-file.js';

/** --output, its --json alias and --wide: on every command that prints data. */
export function outputOptions(cmd: Program): Program {
  return cmd
    .addOption(new Option('-o, --output <format>', 'table (default), json or yaml').choices(OUTPUT_FORMATS))
    .addOption(new Option('--json', 'the same as --output json'))
    .addOption(new Option('--wide', 'do not cut table columns to the terminal width'));
}

export const roleOption = (description: string) => new Option('--role <role>', description).choices(ROLES);

export const passwordStdinOption = (what: string) =>
  new Option('--password-stdin', `read ${what} from stdin instead of prompting (never pass it as an argument)`);
