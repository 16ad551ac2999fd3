"""share links: review and upload links, reviews, events, attempts

Revision ID: 0003_share_links
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_share_links'
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('share_links',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=True),
    sa.Column('campaign_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=True),
    sa.Column('allow_download', sa.Boolean(), nullable=False),
    sa.Column('allow_review', sa.Boolean(), nullable=False),
    sa.Column('quota_files', sa.Integer(), nullable=True),
    sa.Column('quota_bytes', sa.BigInteger(), nullable=True),
    sa.Column('used_files', sa.Integer(), nullable=False),
    sa.Column('used_bytes', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_share_links_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_share_links_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_share_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_share_links_token_hash'))
    )
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.create_index('ix_share_links_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('share_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('link_id', sa.String(length=36), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['share_links.id'], name=op.f('fk_share_attempts_link_id_share_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_attempts'))
    )
    with op.batch_alter_table('share_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_share_attempts_address_created', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_share_attempts_link_created', ['link_id', 'created_at'], unique=False)

    op.create_table('share_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('link_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('asset_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['share_links.id'], name=op.f('fk_share_events_link_id_share_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_events'))
    )
    with op.batch_alter_table('share_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_events_link_id'), ['link_id'], unique=False)

    op.create_table('share_link_assets',
    sa.Column('link_id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_share_link_assets_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['share_links.id'], name=op.f('fk_share_link_assets_link_id_share_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('link_id', 'asset_id', name=op.f('pk_share_link_assets'))
    )
    with op.batch_alter_table('share_link_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_link_assets_asset_id'), ['asset_id'], unique=False)

    op.create_table('share_reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('link_id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('reviewer', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_share_reviews_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['share_links.id'], name=op.f('fk_share_reviews_link_id_share_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_reviews'))
    )
    with op.batch_alter_table('share_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_share_reviews_asset_created', ['asset_id', 'created_at'], unique=False)
        batch_op.create_index('ix_share_reviews_link_created', ['link_id', 'created_at'], unique=False)

    op.create_table('share_uploads',
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('link_id', sa.String(length=36), nullable=False),
    sa.Column('uploader_name', sa.String(length=200), nullable=True),
    sa.Column('uploader_email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_share_uploads_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['share_links.id'], name=op.f('fk_share_uploads_link_id_share_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('asset_id', name=op.f('pk_share_uploads'))
    )


def downgrade() -> None:
    op.drop_table('share_uploads')
    with op.batch_alter_table('share_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_share_reviews_link_created')
        batch_op.drop_index('ix_share_reviews_asset_created')

    op.drop_table('share_reviews')
    with op.batch_alter_table('share_link_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_link_assets_asset_id'))

    op.drop_table('share_link_assets')
    with op.batch_alter_table('share_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_events_link_id'))

    op.drop_table('share_events')
    with op.batch_alter_table('share_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_share_attempts_link_created')
        batch_op.drop_index('ix_share_attempts_address_created')

    op.drop_table('share_attempts')
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_index('ix_share_links_user_created')

    op.drop_table('share_links')
