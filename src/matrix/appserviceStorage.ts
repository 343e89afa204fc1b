import type { IAppserviceStorageProvider } from "matrix-bot-sdk";
import type { Clock } from "../kernel/clock";
import type { InboxStore } from "../store/inbox";
import type { RegisteredUsersStore } from "./store/registeredUsers";

/**
 * matrix-bot-sdk's appservice storage on SQLite, in place of its in-memory default: the
 * completed transaction ids and registered users survive restarts. carenet's own
 * transaction endpoint records transactions through the same table (InboxStore).
 */
export class SqliteAppserviceStorage implements IAppserviceStorageProvider {
  constructor(
    private readonly inbox: InboxStore,
    private readonly users: RegisteredUsersStore,
    private readonly clock: Clock,
  ) {}

  addRegisteredUser(userId: string): void {
    this.users.add(userId, this.clock.now());
  }

  isUserRegistered(userId: string): boolean {
    return this.users.has(userId);
  }

  setTransactionCompleted(transactionId: string): void {
    // Recording an empty transaction marks the id completed without adding events.
    this.inbox.recordTransaction(transactionId, [], this.clock.now());
  }

  isTransactionCompleted(transactionId: string): boolean {
    return this.inbox.isTransactionRecorded(transactionId);
  }
}
