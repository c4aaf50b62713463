//! mysql_replication between two real MariaDB servers (a primary writing a
//! binary log, a replica), driven from a lab host: the primary's position,
//! `CHANGE MASTER TO` with it, the replica started (and started again:
//! nothing changed), data written on the primary arriving on the replica,
//! and the replication password never in the output.

use std::time::{Duration, Instant};

use crate::support::{Lab, MariaDb, Recap, recap};

#[test]
fn a_replica_set_up_by_mysql_replication_follows_its_primary() {
    let lab = Lab::up(1);
    let primary = MariaDb::start_with(&["--log-bin=runbook-bin", "--server-id=1"]);
    let replica = MariaDb::start_with(&["--skip-log-bin", "--server-id=2"]);
    let password = "r3pl'pw \"x\"";
    lab.project.file(
        "replication.yml",
        &format!(
            r#"- hosts: lab
  gather_facts: false
  vars:
    primary_login: &primary {{login_user: root, login_host: 127.0.0.1, login_port: {p}}}
    replica_login: &replica {{login_user: root, login_host: 127.0.0.1, login_port: {r}}}
    replication_password: '{quoted}'
  tasks:
    - community.mysql.mysql_replication: {{mode: getprimary, <<: *primary}}
      register: primary
    - community.mysql.mysql_replication: {{mode: getreplica, <<: *replica}}
      register: before
    - community.mysql.mysql_replication: {{mode: getprimary, <<: *replica}}
      register: no_binlog
    - community.mysql.mysql_user:
        name: repl
        host: '%'
        password: "{{{{ replication_password }}}}"
        priv: '*.*:REPLICATION SLAVE'
        <<: *primary
    - community.mysql.mysql_replication:
        mode: changeprimary
        master_host: 127.0.0.1
        master_port: {p}
        master_user: repl
        master_password: "{{{{ replication_password }}}}"
        master_log_file: "{{{{ primary.File }}}}"
        master_log_pos: "{{{{ primary.Position }}}}"
        <<: *replica
      register: changed
    - community.mysql.mysql_replication: {{mode: startreplica, <<: *replica}}
      register: started
    - community.mysql.mysql_replication: {{mode: startreplica, <<: *replica}}
      register: started_again
    - community.mysql.mysql_replication: {{mode: getreplica, <<: *replica}}
      register: after
      until: after.Slave_IO_Running == 'Yes' and after.Slave_SQL_Running == 'Yes'
      retries: 30
      delay: 1
    - community.mysql.mysql_db: {{name: replicated, <<: *primary}}
    - copy:
        dest: /opt/replication
        content: |
          primary {{{{ primary.Is_Primary }}}} {{{{ primary.File }}}} {{{{ primary.Position is number }}}}
          before {{{{ before.Is_Replica }}}} {{{{ before.msg }}}}
          no binlog {{{{ no_binlog.Is_Primary }}}} {{{{ no_binlog.msg }}}}
          changed {{{{ changed is changed }}}} {{{{ changed.queries }}}}
          started {{{{ started is changed }}}} {{{{ started.msg }}}}
          again {{{{ started_again is changed }}}} {{{{ started_again.msg }}}}
          after {{{{ after.Is_Replica }}}} {{{{ after.Master_Port }}}} {{{{ after.Master_User }}}}
"#,
            p = primary.port,
            r = replica.port,
            quoted = password.replace('\'', "''"),
        ),
    );
    let output = lab.run(&["play", "replication.yml", "-i", "lab", "-v"]);
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(10, 5, 0, 0, 0),
        "{}",
        output.all()
    );
    assert!(
        !output.all().contains("r3pl"),
        "the password was shown:\n{}",
        output.all()
    );
    let written = std::fs::read_to_string(lab.host_root("node1").join("opt/replication"))
        .expect("/opt/replication");
    assert_eq!(
        written,
        format!(
            "primary True runbook-bin.000001 True\n\
             before False Server is not configured as mysql replica\n\
             no binlog False Server is not configured as mysql primary. Meaning: Binary logs are disabled\n\
             changed True [\"CHANGE MASTER TO MASTER_HOST='127.0.0.1',MASTER_USER='repl',MASTER_PASSWORD='********',MASTER_PORT={p},MASTER_LOG_FILE='runbook-bin.000001',MASTER_LOG_POS={pos}\"]\n\
             started True Replica started \n\
             again False Replica already started (Or cannot be started)\n\
             after True {p} repl\n",
            p = primary.port,
            pos = position_in(&written),
        )
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while replica.sql("SHOW DATABASES LIKE 'replicated'").trim() != "replicated" {
        assert!(
            Instant::now() < deadline,
            "the database never reached the replica"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The log position the primary reported, as the replica was told it.
fn position_in(written: &str) -> String {
    written
        .split("MASTER_LOG_POS=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}
