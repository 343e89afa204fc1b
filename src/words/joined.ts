import { t } from "./render";

type Words = ReturnType<typeof t>;

/** Parts of one line joined with "; " (the catalogue's separator), in order. */
export function joined(parts: Words[]): Words {
  return parts.slice(1).reduce((line, part) => t("data.parts", { first: line, rest: part }), parts[0]);
}
