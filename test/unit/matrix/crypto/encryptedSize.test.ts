import * as sdk from "@matrix-org/matrix-sdk-crypto-wasm";
import { contentBytes, ENCRYPTED_CONTENT_BUDGET_BYTES, fitContent } from "../../../../src/matrix/fitContent";

/**
 * With encryption on, every part fitContent makes must still be under Synapse's event
 * limit (65,536 bytes for the whole event) once encrypted: measured with the real crypto.
 */
test("the largest part carenet sends, encrypted, is an event Synapse accepts", async () => {
  await sdk.initAsync();
  const machine = await sdk.OlmMachine.initialize(new sdk.UserId("@carenet:example.org"), new sdk.DeviceId("CARENET"));
  const room = new sdk.RoomId("!room:example.org");
  await machine.shareRoomKey(room, [], new sdk.EncryptionSettings());
  // Worst cases for size: plain ASCII, and characters that JSON escapes (a control character costs 6 bytes).
  for (const text of ["word ".repeat(40_000), "é\u0001<".repeat(20_000)]) {
    const parts = fitContent({ msgtype: "m.notice", body: text, format: "org.matrix.custom.html", formatted_body: text, "m.mentions": {} }, ENCRYPTED_CONTENT_BUDGET_BYTES);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(contentBytes(part)).toBeLessThanOrEqual(ENCRYPTED_CONTENT_BUDGET_BYTES);
      const encrypted = await machine.encryptRoomEvent(room, "m.room.message", JSON.stringify(part));
      // What Synapse adds around the content: ids, hashes, signatures, auth events (generously).
      expect(Buffer.byteLength(encrypted) + 2_000).toBeLessThan(65_536);
    }
  }
}, 60_000);
