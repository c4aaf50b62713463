# Lab stand-in for loonflow-helper's update/0.3.xto1.0.x/dml.py: the same
# database block to edit, the same migration of ticket relations into
# ticket_ticketuser and of act_state_id, on the lab's rows. Not repeatable
# (a second run inserts the relations again), as the real one. The real
# script uses MySQLdb; this one the mariadb client, its password in an
# option file.
import os
import subprocess
import sys
import tempfile
import time

# 数据修改
DB_HOST = '127.0.0.1'
DB_NAME = 'loonflownew1'
DB_PORT = 3306
DB_USER = 'loonflownew1'
DB_PASSWORD = '123456'

COUNT_PER_TIME = 1000  # 每次处理1000条数据

with open('/var/log/runbook-shims.log', 'a') as log:
    log.write('%s\tdml.py\t%s\n' % (time.strftime('%Y-%m-%dT%H:%M:%S.000000000'), DB_NAME))


def sql(statement):
    with tempfile.TemporaryDirectory() as scratch:
        option_file = os.path.join(scratch, 'my.cnf')
        with open(os.open(option_file, os.O_WRONLY | os.O_CREAT, 0o600), 'w') as handle:
            handle.write('[client]\nuser=%s\npassword="%s"\nhost=%s\nport=%s\n' % (DB_USER, DB_PASSWORD, DB_HOST, DB_PORT))
        result = subprocess.run(['mariadb', '--defaults-file=' + option_file, '--batch', '--skip-column-names',
                                 DB_NAME, '-e', statement], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        sys.exit(1)
    return [line.split('\t') for line in result.stdout.splitlines()]


count = int(sql('select count(*) from ticket_ticketrecord')[0][0])
print('共{}条记录'.format(count))
statements = []
for ticket_id, relation, participant_type_id, participant, state_id in sql(
        'select id, relation, participant_type_id, participant, state_id from ticket_ticketrecord order by id'):
    for username in filter(None, relation.split(',')):
        statements.append("insert into ticket_ticketuser (ticket_id, creator, username, in_process, is_deleted) "
                          "values ({}, 'admin', '{}', {}, 0)".format(ticket_id, username, int(username in participant.split(','))))
    state_type = sql('select type_id from workflow_state where id={}'.format(state_id))
    act_state_id = 4 if state_type and state_type[0][0] != '0' else 1
    statements.append('update ticket_ticketrecord set act_state_id={} where id={}'.format(act_state_id, ticket_id))
if statements:
    sql(';'.join(statements))
print('done')
