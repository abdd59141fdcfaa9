// Consents, reports, mutation receipts and the audit log.
import { col, defineTable, pgEnum, type Row } from '../table';

export const consentKind = pgEnum('consent_kind', ['terms', 'privacy', 'recording', 'publication']);

export const reportStatus = pgEnum('report_status', ['open', 'dismissed', 'actioned']);

export const receiptStatus = pgEnum('receipt_status', ['accepted', 'rejected']);

export const consents = defineTable({
  name: 'consents',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    kind: col.enum(consentKind),
    media_id: col.uuid().orNull(),
    story_id: col.uuid().orNull(),
    document_version: col.text().defaulted(),
    granted_at: col.timestamptz().defaulted(),
    revoked_at: col.timestamptz().orNull(),
  },
});
export type ConsentRow = Row<typeof consents>;

export const reports = defineTable({
  name: 'reports',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    reporter_id: col.uuid(),
    story_id: col.uuid().orNull(),
    comment_id: col.uuid().orNull(),
    event_id: col.uuid().orNull(),
    reported_user_id: col.uuid().orNull(),
    community_id: col.uuid().orNull(),
    reason: col.text(),
    details: col.text().defaulted(),
    status: col.enum(reportStatus).defaulted(),
    resolved_by: col.uuid().orNull(),
    resolved_at: col.timestamptz().orNull(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type ReportRow = Row<typeof reports>;

export const receipts = defineTable({
  name: 'receipts',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    user_id: col.uuid().orNull(),
    mutation: col.text(),
    status: col.enum(receiptStatus),
    error_code: col.text().orNull(),
    error_message: col.text().orNull(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type ReceiptRow = Row<typeof receipts>;

export const auditLog = defineTable({
  name: 'audit_log',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.bigint().defaulted(),
    actor_id: col.uuid().orNull(),
    action: col.text(),
    subject_table: col.text().orNull(),
    subject_id: col.uuid().orNull(),
    details: col.jsonb().defaulted(),
    ip: col.inet().orNull(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type AuditLogEntryRow = Row<typeof auditLog>;
