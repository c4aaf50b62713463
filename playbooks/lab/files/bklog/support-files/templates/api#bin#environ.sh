#!/bin/sh

export LAN_IP="__LAN_IP__"
export BKLOG_API_PORT="__BK_BKLOG_API_PORT__"

# 导入虚拟环境
export PATH=__BK_HOME__/.envs/bklog-api/bin:$PATH

# APP 配置
export BK_ENV="production"
export BK_LOG_DIR="__BK_HOME__/logs/bklog"
export DJANGO_SETTINGS_MODULE="settings"

# MySQL 信息
export DB_NAME="bk_log_search"
export DB_USERNAME="__BK_PAAS_MYSQL_USER__"
export DB_PASSWORD="__BK_PAAS_MYSQL_PASSWORD__"
export DB_HOST="__BK_PAAS_MYSQL_HOST__"
export DB_PORT="__BK_PAAS_MYSQL_PORT__"
