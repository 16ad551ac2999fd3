"""The schema of a new SQLite library, as Alembic creates it (generated: do not edit).

Regenerate after adding a migration: `python -m app.library.schema_state`.
"""

HEADS = ('0002_v1', '0003_auth_guard', '0003_share_links', '0006_campaignrights', '0006_syncbug')

SCRIPT = """\
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0006_syncbug');
INSERT INTO "alembic_version" VALUES('0006_campaignrights');
INSERT INTO "alembic_version" VALUES('0003_share_links');
INSERT INTO "alembic_version" VALUES('0003_auth_guard');
INSERT INTO "alembic_version" VALUES('0002_v1');
CREATE TABLE api_tokens (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	label VARCHAR(200), 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	CONSTRAINT pk_api_tokens PRIMARY KEY (id), 
	CONSTRAINT fk_api_tokens_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash)
);
CREATE TABLE asset_colours (
	asset_id VARCHAR(36) NOT NULL, 
	position SMALLINT NOT NULL, 
	cell INTEGER NOT NULL, 
	l FLOAT NOT NULL, 
	a FLOAT NOT NULL, 
	b FLOAT NOT NULL, 
	share FLOAT NOT NULL, 
	hex VARCHAR(7) NOT NULL, 
	CONSTRAINT pk_asset_colours PRIMARY KEY (asset_id, position), 
	CONSTRAINT fk_asset_colours_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE
);
CREATE TABLE asset_edit_times (
	asset_id VARCHAR(36) NOT NULL, 
	name VARCHAR(40), 
	tags VARCHAR(40), 
	filing VARCHAR(40), rating VARCHAR(40), label VARCHAR(40), rights VARCHAR(40), 
	CONSTRAINT pk_asset_edit_times PRIMARY KEY (asset_id), 
	CONSTRAINT fk_asset_edit_times_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE
);
CREATE TABLE asset_meta (
	asset_id VARCHAR(36) NOT NULL, 
	creator VARCHAR(300), 
	rights VARCHAR(500), 
	camera VARCHAR(200), 
	taken_at DATETIME, 
	text TEXT, 
	extra TEXT, 
	rating SMALLINT NOT NULL, 
	label VARCHAR(16), 
	phash BIGINT, 
	hb0 INTEGER, 
	hb1 INTEGER, 
	hb2 INTEGER, 
	hb3 INTEGER, 
	CONSTRAINT pk_asset_meta PRIMARY KEY (asset_id), 
	CONSTRAINT fk_asset_meta_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE
);
CREATE TABLE asset_rights (
	asset_id VARCHAR(36) NOT NULL, 
	licence VARCHAR(200), 
	source VARCHAR(300), 
	credit VARCHAR(300), 
	valid_from DATETIME, 
	valid_until DATETIME, 
	CONSTRAINT pk_asset_rights PRIMARY KEY (asset_id), 
	CONSTRAINT fk_asset_rights_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE
);
PRAGMA writable_schema=ON;
INSERT INTO sqlite_master(type,name,tbl_name,rootpage,sql)VALUES('table','asset_text','asset_text',0,'CREATE VIRTUAL TABLE asset_text USING fts5(asset_id UNINDEXED, body, tokenize=''trigram'')');
CREATE TABLE 'asset_text_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO "asset_text_config" VALUES('version',4);
CREATE TABLE 'asset_text_content'(id INTEGER PRIMARY KEY, c0, c1);
CREATE TABLE 'asset_text_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO "asset_text_data" VALUES(1,X'');
INSERT INTO "asset_text_data" VALUES(10,X'00000000000000');
CREATE TABLE 'asset_text_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
CREATE TABLE 'asset_text_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
CREATE TABLE assets (
	id VARCHAR(36) NOT NULL, 
	user_id INTEGER, 
	client_id VARCHAR(36), 
	campaign_id VARCHAR(36), 
	name VARCHAR(255) NOT NULL, 
	asset_type VARCHAR(16) NOT NULL, 
	url VARCHAR(300) NOT NULL, 
	size BIGINT, 
	uploaded_at DATETIME NOT NULL, 
	format VARCHAR(8) NOT NULL, 
	tags TEXT, 
	width INTEGER, 
	height INTEGER, 
	duration INTEGER, 
	thumbnail_url VARCHAR(300), 
	waveform_url VARCHAR(300), 
	page_count INTEGER, 
	mime VARCHAR(100) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	change_seq BIGINT NOT NULL, 
	purpose VARCHAR(16), 
	description VARCHAR(500), 
	CONSTRAINT pk_assets PRIMARY KEY (id), 
	CONSTRAINT fk_assets_campaign_id_campaigns FOREIGN KEY(campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE, 
	CONSTRAINT fk_assets_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_assets_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE campaign_rights (
	campaign_id VARCHAR(36) NOT NULL, 
	licence VARCHAR(200), 
	source VARCHAR(300), 
	credit VARCHAR(300), 
	valid_from DATETIME, 
	valid_until DATETIME, edited VARCHAR(40), 
	CONSTRAINT pk_campaign_rights PRIMARY KEY (campaign_id), 
	CONSTRAINT fk_campaign_rights_campaign_id_campaigns FOREIGN KEY(campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE
);
CREATE TABLE campaigns (
	id VARCHAR(36) NOT NULL, 
	client_id VARCHAR(36) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_campaigns PRIMARY KEY (id), 
	CONSTRAINT fk_campaigns_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
);
CREATE TABLE clients (
	id VARCHAR(36) NOT NULL, 
	user_id INTEGER, 
	name VARCHAR(200) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_clients PRIMARY KEY (id), 
	CONSTRAINT fk_clients_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE counters (
	name VARCHAR(32) NOT NULL, 
	value BIGINT NOT NULL, 
	CONSTRAINT pk_counters PRIMARY KEY (name)
);
CREATE TABLE idempotency_keys (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	"key" VARCHAR(200) NOT NULL, 
	asset_id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_idempotency_keys PRIMARY KEY (id), 
	CONSTRAINT uq_idempotency_keys_user_id UNIQUE (user_id, "key")
);
CREATE TABLE login_throttle (
	"key" VARCHAR(300) NOT NULL, 
	failures INTEGER NOT NULL, 
	last_failure_at DATETIME NOT NULL, 
	locked_until DATETIME, 
	CONSTRAINT pk_login_throttle PRIMARY KEY ("key")
);
CREATE TABLE pending_files (
	asset_id VARCHAR(36) NOT NULL, 
	format VARCHAR(8) NOT NULL, 
	action VARCHAR(8) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_pending_files PRIMARY KEY (asset_id)
);
CREATE TABLE person_images (
	person_id VARCHAR(36) NOT NULL, 
	asset_id VARCHAR(36) NOT NULL, 
	position INTEGER NOT NULL, 
	CONSTRAINT pk_person_images PRIMARY KEY (person_id, asset_id), 
	CONSTRAINT fk_person_images_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE, 
	CONSTRAINT fk_person_images_person_id_persons FOREIGN KEY(person_id) REFERENCES persons (id) ON DELETE CASCADE
);
CREATE TABLE persons (
	id VARCHAR(36) NOT NULL, 
	user_id INTEGER, 
	name VARCHAR(200) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_persons PRIMARY KEY (id), 
	CONSTRAINT fk_persons_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE settings (
	"key" VARCHAR(100) NOT NULL, 
	value TEXT NOT NULL, 
	CONSTRAINT pk_settings PRIMARY KEY ("key")
);
CREATE TABLE share_attempts (
	id INTEGER NOT NULL, 
	link_id VARCHAR(36) NOT NULL, 
	address VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_share_attempts PRIMARY KEY (id), 
	CONSTRAINT fk_share_attempts_link_id_share_links FOREIGN KEY(link_id) REFERENCES share_links (id) ON DELETE CASCADE
);
CREATE TABLE share_events (
	id INTEGER NOT NULL, 
	link_id VARCHAR(36) NOT NULL, 
	kind VARCHAR(12) NOT NULL, 
	actor VARCHAR(200), 
	asset_id VARCHAR(36), 
	detail VARCHAR(300), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_share_events PRIMARY KEY (id), 
	CONSTRAINT fk_share_events_link_id_share_links FOREIGN KEY(link_id) REFERENCES share_links (id) ON DELETE CASCADE
);
CREATE TABLE share_link_assets (
	link_id VARCHAR(36) NOT NULL, 
	asset_id VARCHAR(36) NOT NULL, 
	CONSTRAINT pk_share_link_assets PRIMARY KEY (link_id, asset_id), 
	CONSTRAINT fk_share_link_assets_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE, 
	CONSTRAINT fk_share_link_assets_link_id_share_links FOREIGN KEY(link_id) REFERENCES share_links (id) ON DELETE CASCADE
);
CREATE TABLE share_links (
	id VARCHAR(36) NOT NULL, 
	user_id INTEGER, 
	kind VARCHAR(8) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	scope VARCHAR(10) NOT NULL, 
	client_id VARCHAR(36), 
	campaign_id VARCHAR(36), 
	title VARCHAR(300) NOT NULL, 
	password_hash VARCHAR(300), 
	allow_download BOOLEAN NOT NULL, 
	allow_review BOOLEAN NOT NULL, 
	quota_files INTEGER, 
	quota_bytes BIGINT, 
	used_files INTEGER NOT NULL, 
	used_bytes BIGINT NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME, 
	revoked_at DATETIME, 
	CONSTRAINT pk_share_links PRIMARY KEY (id), 
	CONSTRAINT fk_share_links_campaign_id_campaigns FOREIGN KEY(campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE, 
	CONSTRAINT fk_share_links_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_share_links_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_share_links_token_hash UNIQUE (token_hash)
);
CREATE TABLE share_reviews (
	id INTEGER NOT NULL, 
	link_id VARCHAR(36) NOT NULL, 
	asset_id VARCHAR(36) NOT NULL, 
	reviewer VARCHAR(100) NOT NULL, 
	decision VARCHAR(20), 
	comment TEXT, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_share_reviews PRIMARY KEY (id), 
	CONSTRAINT fk_share_reviews_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE, 
	CONSTRAINT fk_share_reviews_link_id_share_links FOREIGN KEY(link_id) REFERENCES share_links (id) ON DELETE CASCADE
);
CREATE TABLE share_uploads (
	asset_id VARCHAR(36) NOT NULL, 
	link_id VARCHAR(36) NOT NULL, 
	uploader_name VARCHAR(200), 
	uploader_email VARCHAR(254), 
	CONSTRAINT pk_share_uploads PRIMARY KEY (asset_id), 
	CONSTRAINT fk_share_uploads_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE, 
	CONSTRAINT fk_share_uploads_link_id_share_links FOREIGN KEY(link_id) REFERENCES share_links (id) ON DELETE CASCADE
);
CREATE TABLE smart_folder_tombstones (
	uid VARCHAR(36) NOT NULL, 
	user_id INTEGER, 
	edited VARCHAR(40) NOT NULL, 
	CONSTRAINT pk_smart_folder_tombstones PRIMARY KEY (uid), 
	CONSTRAINT fk_smart_folder_tombstones_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE smart_folders (
	id INTEGER NOT NULL, 
	user_id INTEGER, 
	name VARCHAR(200) NOT NULL, 
	"match" VARCHAR(3) NOT NULL, 
	rules TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, uid VARCHAR(36), edited VARCHAR(40), 
	CONSTRAINT pk_smart_folders PRIMARY KEY (id), 
	CONSTRAINT fk_smart_folders_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE sync_clock (
	id INTEGER NOT NULL, 
	node VARCHAR(16) NOT NULL, 
	last VARCHAR(40), 
	CONSTRAINT pk_sync_clock PRIMARY KEY (id)
);
CREATE TABLE sync_history (
	id INTEGER NOT NULL, 
	remote_id INTEGER NOT NULL, 
	sync_id VARCHAR(36) NOT NULL, 
	synced_at DATETIME NOT NULL, 
	asset_id VARCHAR(36), 
	remote_asset_id VARCHAR(100), 
	label VARCHAR(255) NOT NULL, 
	field VARCHAR(16) NOT NULL, 
	side VARCHAR(8) NOT NULL, 
	old_value TEXT, 
	new_value TEXT, 
	old_time VARCHAR(40), 
	new_time VARCHAR(40), 
	"conflict" BOOLEAN NOT NULL, 
	CONSTRAINT pk_sync_history PRIMARY KEY (id), 
	CONSTRAINT fk_sync_history_remote_id_sync_remotes FOREIGN KEY(remote_id) REFERENCES sync_remotes (id) ON DELETE CASCADE
);
CREATE TABLE sync_links (
	id INTEGER NOT NULL, 
	remote_id INTEGER NOT NULL, 
	asset_id VARCHAR(36), 
	remote_asset_id VARCHAR(100), 
	state VARCHAR(12) NOT NULL, 
	direction VARCHAR(8), 
	idem_key VARCHAR(200), 
	sha256 VARCHAR(64), 
	name VARCHAR(255), 
	tags TEXT, 
	filing TEXT, 
	remote_updated_at DATETIME, 
	note TEXT, 
	synced_at DATETIME NOT NULL, find TEXT, 
	CONSTRAINT pk_sync_links PRIMARY KEY (id), 
	CONSTRAINT fk_sync_links_remote_id_sync_remotes FOREIGN KEY(remote_id) REFERENCES sync_remotes (id) ON DELETE CASCADE, 
	CONSTRAINT uq_sync_links_remote_id_asset_id UNIQUE (remote_id, asset_id), 
	CONSTRAINT uq_sync_links_remote_id_remote_asset_id UNIQUE (remote_id, remote_asset_id)
);
CREATE TABLE sync_remotes (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	url VARCHAR(500) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	username VARCHAR(100), 
	token TEXT NOT NULL, 
	cursor BIGINT, 
	mode VARCHAR(8), 
	last_sync_at DATETIME, 
	last_status VARCHAR(16), 
	last_error TEXT, 
	last_summary TEXT, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_sync_remotes PRIMARY KEY (id), 
	CONSTRAINT uq_sync_remotes_name UNIQUE (name)
);
CREATE TABLE tombstones (
	asset_id VARCHAR(36) NOT NULL, 
	user_id INTEGER, 
	sha256 VARCHAR(64), 
	deleted_at DATETIME NOT NULL, 
	change_seq BIGINT NOT NULL, last_state TEXT, 
	CONSTRAINT pk_tombstones PRIMARY KEY (asset_id)
);
CREATE TABLE users (
	id INTEGER NOT NULL, 
	username VARCHAR(100) NOT NULL, 
	password_hash VARCHAR(300), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_users PRIMARY KEY (id), 
	CONSTRAINT uq_users_username UNIQUE (username)
);
CREATE INDEX ix_tombstones_change_seq ON tombstones (change_seq);
CREATE INDEX ix_tombstones_user_id ON tombstones (user_id);
CREATE INDEX ix_api_tokens_user_id ON api_tokens (user_id);
CREATE INDEX ix_clients_user_id ON clients (user_id);
CREATE INDEX ix_campaigns_client_id ON campaigns (client_id);
CREATE INDEX ix_assets_campaign_uploaded ON assets (campaign_id, uploaded_at, id);
CREATE INDEX ix_assets_client_uploaded ON assets (client_id, uploaded_at, id);
CREATE INDEX ix_assets_user_name ON assets (user_id, name);
CREATE INDEX ix_assets_user_seq ON assets (user_id, change_seq);
CREATE INDEX ix_assets_user_sha256 ON assets (user_id, sha256);
CREATE INDEX ix_assets_user_type_uploaded ON assets (user_id, asset_type, uploaded_at, id);
CREATE INDEX ix_assets_user_uploaded ON assets (user_id, uploaded_at, id);
CREATE INDEX ix_sync_links_remote_id ON sync_links (remote_id);
CREATE INDEX ix_sync_history_remote_id ON sync_history (remote_id);
CREATE INDEX ix_sync_history_sync_id ON sync_history (sync_id);
CREATE INDEX ix_asset_meta_creator ON asset_meta (creator);
CREATE INDEX ix_asset_meta_camera ON asset_meta (camera);
CREATE INDEX ix_asset_meta_taken_at ON asset_meta (taken_at);
CREATE INDEX ix_asset_meta_rating ON asset_meta (rating);
CREATE INDEX ix_asset_meta_hb0 ON asset_meta (hb0);
CREATE INDEX ix_asset_meta_hb1 ON asset_meta (hb1);
CREATE INDEX ix_asset_meta_hb2 ON asset_meta (hb2);
CREATE INDEX ix_asset_meta_hb3 ON asset_meta (hb3);
CREATE INDEX ix_asset_meta_label ON asset_meta (label, rating);
CREATE INDEX ix_asset_colours_cell ON asset_colours (cell, share, l, a, b, asset_id);
CREATE INDEX ix_asset_rights_valid_until ON asset_rights (valid_until);
CREATE INDEX ix_campaign_rights_valid_until ON campaign_rights (valid_until);
CREATE INDEX ix_smart_folders_user_id ON smart_folders (user_id);
CREATE UNIQUE INDEX ix_smart_folders_uid ON smart_folders (uid);
CREATE INDEX ix_smart_folder_tombstones_user_id ON smart_folder_tombstones (user_id);
CREATE INDEX ix_share_links_user_created ON share_links (user_id, created_at);
CREATE INDEX ix_share_attempts_address_created ON share_attempts (address, created_at);
CREATE INDEX ix_share_attempts_link_created ON share_attempts (link_id, created_at);
CREATE INDEX ix_share_events_link_id ON share_events (link_id);
CREATE INDEX ix_share_link_assets_asset_id ON share_link_assets (asset_id);
CREATE INDEX ix_share_reviews_asset_created ON share_reviews (asset_id, created_at);
CREATE INDEX ix_share_reviews_link_created ON share_reviews (link_id, created_at);
CREATE INDEX ix_persons_user_created ON persons (user_id, created_at, id);
CREATE INDEX ix_person_images_asset_id ON person_images (asset_id);
CREATE INDEX ix_assets_user_purpose_uploaded ON assets (user_id, purpose, uploaded_at, id);
PRAGMA writable_schema=OFF;
"""
