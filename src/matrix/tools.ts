import { MatrixError } from "matrix-bot-sdk";
import type { MatrixTools, RoomPosting } from "../ports/matrix";
import { noticeContent } from "./content";
import { fitContent } from "./fitContent";
import { describeError } from "./errors";
import { postingIs, readPowerLevels, redactionTxnId, setPosting, type RoomHoursHomeserver } from "./roomHours";

/** Posting hours over this homeserver (see ports/matrix.ts RoomPosting). */
export function roomPosting(hs: RoomHoursHomeserver): RoomPosting {
  return {
    readPowerLevels: (roomId) => readPowerLevels(hs, roomId),
    postingIs,
    setPosting: (roomId, powerLevels, open) => setPosting(hs, roomId, powerLevels, open),
    redact: (roomId, eventId, reason) => hs.redact(roomId, eventId, reason, redactionTxnId(eventId)),
  };
}

/** The Matrix helpers features are handed at install time (ports/matrix.ts MatrixTools). */
export function matrixTools(hs: RoomHoursHomeserver): MatrixTools {
  return {
    noticeContent: (message, inReplyTo, reader) => noticeContent(message, inReplyTo, reader),
    fitContent: (content) => fitContent(content),
    alreadyInRoom: (err) => err instanceof MatrixError && err.statusCode === 403 && /already in the room|is already joined/i.test(err.error ?? ""),
    describeError,
    posting: roomPosting(hs),
  };
}
