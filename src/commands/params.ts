import type { Text } from "../messaging/message";
import { t } from "../words";
import { UsageError, type CommandContext, type CommandResult, type CommandSpec } from "./types";

/**
 * One declared word of a command. A command lists its words once; the usage line `!help`
 * shows and the reading of what was typed are both derived from that list, so they cannot
 * drift apart.
 *
 * - `choices`: one of these words (matched case-insensitively, given back lowercase). When
 *   optional and the word typed is not one of them, it is left for the next parameter
 *   (`!rights kept myhouse` and `!rights myhouse` both read).
 * - otherwise one word as typed, shown as `label` (else `name`) in the usage.
 */
export interface Param {
  readonly name: string;
  readonly optional?: boolean;
  readonly choices?: readonly string[];
  readonly label?: string;
}

type ValueOf<P extends Param> = P extends { readonly choices: readonly (infer C)[] } ? C : string;

/** What the declared words read as: one field per parameter, undefined when an optional one was not given. */
export type Values<Ps extends readonly Param[]> = {
  [P in Ps[number] as P["name"]]: P extends { readonly optional: true } ? ValueOf<P> | undefined : ValueOf<P>;
};

/** `!rights [about|kept|…] [community]`: the usage line of a command with these parameters. */
export function usageOf(name: string, params: readonly Param[]): string {
  const shown = params.map((p) => {
    const inner = p.choices ? p.choices.join("|") : (p.label ?? p.name);
    return p.optional ? `[${inner}]` : `<${inner}>`;
  });
  return [`!${name}`, ...shown].join(" ");
}

/**
 * Reads `args` against `params`. Words that do not fit — a required one missing, one more
 * than declared — throw a UsageError with `misfit`, so the dispatcher answers it with the
 * usage line.
 */
export function readArgs<Ps extends readonly Param[]>(params: Ps, args: readonly string[], misfit: () => Text): Values<Ps> {
  const values: Record<string, string | undefined> = {};
  let next = 0;
  for (const p of params) {
    const word = args[next];
    const fits = word !== undefined && (!p.choices || p.choices.includes(word.toLowerCase()));
    if (fits) {
      values[p.name] = p.choices ? word.toLowerCase() : word;
      next++;
    } else if (!p.optional) {
      throw new UsageError(misfit());
    }
  }
  if (next < args.length) throw new UsageError(misfit());
  return values as Values<Ps>;
}

/** A command declared with its parameters: everything a CommandSpec has but `usage`, and a `run` given the read values. */
export interface DeclaredCommand<Ps extends readonly Param[]> extends Omit<CommandSpec, "usage" | "run" | "precheck"> {
  params: Ps;
  /** The reason given when the words do not fit the parameters (the usage line follows it). */
  misfit?: () => Text;
  run(ctx: CommandContext, values: Values<Ps>): CommandResult;
}

/** Turns a declared command into the CommandSpec the dispatcher runs, its usage derived from the parameters. */
export function declare<const Ps extends readonly Param[]>(def: DeclaredCommand<Ps>): CommandSpec {
  const { params, misfit = () => t("commands.wordsDoNotFit"), run, ...rest } = def;
  return {
    ...rest,
    usage: usageOf(def.name, params),
    run: (ctx, args) => run(ctx, readArgs(params, args, misfit)),
  };
}
