# -*- coding: utf-8 -*-
"""create users (written for Alembic 0.8, Python 2 era)

Revision ID: d1
Revises:
Create Date: 2016-03-01 10:00:00.000000

"""
from __future__ import absolute_import, unicode_literals

# revision identifiers, used by Alembic.
revision = 'd1'
down_revision = None
branch_labels = None
depends_on = None

from alembic import op as operations
import sqlalchemy as sa


def upgrade():
    operations.create_table(u'users',
        sa.Column(u'id', sa.Integer(), nullable=False),
        sa.Column(u'email', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint(u'id', name=u'pk_users')
    )
    operations.create_index(u'ix_users_email', u'users', [u'email'], unique=True)


def downgrade():
    operations.drop_index(u'ix_users_email')
    operations.drop_table(u'users')
