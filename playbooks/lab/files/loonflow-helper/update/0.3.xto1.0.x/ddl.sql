-- Lab stand-in for loonflow-helper's update/0.3.xto1.0.x/ddl.sql: the same
-- statements on the lab's 0.3 tables. Not repeatable (a second run fails on
-- the first ADD), as the real one.
alter table account_loonuser add is_workflow_admin TINYINT(1) UNSIGNED NOT NULL default 0 comment '工作流管理员';

alter table workflow_customnotice add hook_url varchar(100) not null default '' comment 'hook_url';
alter table workflow_customnotice add hook_token varchar(100) not null default '' comment 'hook_token';
alter table workflow_customnotice drop column title_template;
alter table workflow_customnotice drop column content_template;
alter table workflow_customnotice drop column script;

alter table workflow_workflow add title_template varchar(100) not null default '' comment '标题模板';
alter table workflow_workflow add content_template varchar(1000) not null default '' comment '内容模板';

CREATE TABLE `workflow_workflowadmin` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键id',
  `creator` varchar(50) NOT NULL DEFAULT 'admin' COMMENT '创建人',
  `gmt_created` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT '创建时间',
  `is_deleted` tinyint(1) NOT NULL DEFAULT '0' COMMENT '已删除',
  `username` varchar(100) NOT NULL DEFAULT '' COMMENT '用户名',
  `workflow_id` int(11) NOT NULL DEFAULT '0' COMMENT '工作流id',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

alter table workflow_workflow drop column flowchart;
alter table workflow_state drop column sub_workflow_id;
alter table workflow_state add column enable_retreat TINYINT(1) UNSIGNED NOT NULL default 0 COMMENT '允许撤回';

alter table ticket_ticketrecord drop column is_end;
alter table ticket_ticketrecord drop column is_rejected;
ALTER TABLE `ticket_ticketrecord`
	ADD COLUMN `act_state_id` INT NOT NULL DEFAULT '0' COMMENT '进行状态' AFTER `script_run_last_result`;

CREATE TABLE `ticket_ticketuser` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键id',
  `creator` varchar(50) NOT NULL DEFAULT 'admin' COMMENT '创建人',
  `gmt_created` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT '创建时间',
  `is_deleted` tinyint(1) NOT NULL DEFAULT '0' COMMENT '已删除',
  `username` varchar(100) NOT NULL DEFAULT '' COMMENT '用户名',
  `in_process` tinyint(1) NOT NULL DEFAULT '0' COMMENT '处理中',
  `worked` tinyint(1) NOT NULL DEFAULT '0' COMMENT '处理过的',
  `ticket_id` int(11) NOT NULL DEFAULT '0' COMMENT '工单id',
  PRIMARY KEY (`id`),
  KEY `idx_ticket_id` (`ticket_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
