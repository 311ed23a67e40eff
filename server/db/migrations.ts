/**
 * The schema, as numbered steps applied once each and in order. A step is never edited after it
 * ships: a change is a new step. Times a station sends are kept as the text it sent (the wire
 * contract does not promise a format); times the server sets are timestamptz. The record tables
 * carry station_id without a foreign key: it is only ever written from the station row the push
 * holds locked, stations are revoked and never deleted, and a per-row FK check would be most of
 * the cost of a 2000-record push.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('person', 'service')),
  permissions text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE stations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  enrolment_token_hash text UNIQUE,
  enrolment_expires_at timestamptz,
  enrolled_at timestamptz,
  enrolled_as text,
  credential_hash text UNIQUE,
  revoked_at timestamptz,
  applied_through bigint NOT NULL DEFAULT 0,
  last_push_at timestamptz
);

CREATE TABLE devices (
  id uuid PRIMARY KEY,
  station_id uuid NOT NULL,
  source_seq bigint NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  group_id uuid NOT NULL,
  attributes jsonb NOT NULL,
  state text NOT NULL,
  status text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  last_seen_at text,
  received_at timestamptz NOT NULL DEFAULT now(),
  server_edited_at timestamptz,
  server_edit jsonb
);
CREATE INDEX devices_station ON devices (station_id, id);
CREATE INDEX devices_group ON devices (group_id, id);

CREATE TABLE certificates (
  id uuid PRIMARY KEY,
  station_id uuid NOT NULL,
  source_seq bigint NOT NULL,
  serial text NOT NULL,
  subject text NOT NULL,
  not_before text NOT NULL,
  not_after text NOT NULL,
  der bytea NOT NULL,
  status text NOT NULL,
  policy_id uuid NOT NULL,
  ca_id uuid NOT NULL,
  device_id uuid,
  key_type text NOT NULL,
  issued_at text NOT NULL,
  issued_by text NOT NULL,
  job_id uuid,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificates_station ON certificates (station_id, id);
CREATE INDEX certificates_device ON certificates (device_id, id);
CREATE INDEX certificates_serial ON certificates (serial);

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  station_id uuid NOT NULL,
  source_seq bigint NOT NULL,
  kind text NOT NULL,
  input_name text NOT NULL,
  state text NOT NULL,
  created_by text NOT NULL,
  created_at text NOT NULL,
  started_at text,
  finished_at text,
  rows jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_station ON jobs (station_id, id);

CREATE TABLE station_audit (
  id bigserial UNIQUE,
  station_id uuid NOT NULL,
  seq bigint NOT NULL,
  time text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  details text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (station_id, seq)
);

CREATE TABLE server_audit (
  seq bigserial PRIMARY KEY,
  time timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX server_audit_action ON server_audit (action, seq);

CREATE SEQUENCE config_version;

CREATE TABLE device_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  config_version bigint NOT NULL
);
CREATE UNIQUE INDEX device_groups_live_name ON device_groups (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX device_groups_version ON device_groups (config_version);

CREATE TABLE policies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  issuing_ca_id uuid NOT NULL,
  body jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  config_version bigint NOT NULL
);
CREATE UNIQUE INDEX policies_name ON policies (lower(name));
CREATE INDEX policies_version ON policies (config_version);
`,
  },
];
