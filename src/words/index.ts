// The words door: catalogue messages, their values, and rendering for one reader.
export { t, renderWords, nameFor, pill, escapeHtml, zoneLabel, isWords, DEFAULT_CONTEXT, type Words, type RenderContext, type NameLookup, type Rendered } from "./render";
export { person, command, phone, link, time, zone, listOf, type Value, type RichValue, type TimeStyle } from "./values";
export { LANGUAGES, LANGUAGE_NAMES, SOURCE_LANGUAGE, isLanguage, type Language } from "./catalogue";
export { communityReader, inCommunityLanguage, type CommunityWords } from "./community";
