// End-to-end tests talk to a real homeserver and restart processes: give each test room.
jest.setTimeout(120_000);
