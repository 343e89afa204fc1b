import type { RenderContext } from "../words";

/**
 * Who reads a message, so it is rendered in their language with people by name and times
 * under their community's zone label. A person: their `!language`, else their community's
 * `language:`. A room: its community's (a support room: its page's community); a person's
 * direct chat with the bot: that person's.
 */
export interface Readers {
  forUser(userId: string): RenderContext;
  forRoom(roomId: string): RenderContext;
  /** A person reading something of one community's (their calendar feed): their `!language`, else that community's. */
  forPerson(userId: string, communityId: string): RenderContext;
  /** Anyone in a community, as its rooms read: its `language:`. */
  forCommunity(communityId: string): RenderContext;
}
