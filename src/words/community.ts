import { isLanguage, SOURCE_LANGUAGE, type Language } from "./catalogue";
import { renderWords, type RenderContext, type Words } from "./render";

/**
 * What the words need to know of a community: its language and its zone's label. A
 * structural type rather than the config's, so words/ depends on nothing above it.
 */
export interface CommunityWords {
  language?: string;
  timezone: string;
  time_label?: string;
}

/** How a community reads (no names: for texts rendered once, such as a Matrix invitation's reason). */
export function communityReader(c: CommunityWords | undefined, chosen?: string): RenderContext {
  const language: Language = isLanguage(chosen) ? chosen : isLanguage(c?.language) ? c!.language : SOURCE_LANGUAGE;
  // A community's own label applies to its own zone; any other zone keeps its generic name.
  return { language, zoneLabel: (zone) => (c && c.time_label && c.timezone === zone ? c.time_label : undefined) };
}

/**
 * A text rendered once, in the community's language: the reason given with a Matrix
 * invitation, removal or departure, which the homeserver shows as it is.
 */
export function inCommunityLanguage(c: CommunityWords | undefined, words: Words): string {
  return renderWords(words, communityReader(c)).plain;
}
