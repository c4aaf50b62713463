# The pyinfra deploy of the benchmark: the twelve steps of
# bench/twelve-tasks.yml, written as pyinfra users write them. Commands whose
# output a later step reads run at execution time (python.call with
# host.run_shell_command), as Ansible's register does; `creates:` is a
# File fact checked while the deploy is planned, pyinfra's own idiom.
from pyinfra import host
from pyinfra.facts.files import File
from pyinfra.operations import python, server


def run(command):
    status, output = host.run_shell_command(command)
    if not status:
        raise RuntimeError(f"{command} failed: {output.stderr}")
    return output.stdout.strip()


found = {}


def register(key, command):
    def call():
        found[key] = run(command)

    return call


python.call(name="hostname", function=register("name", "hostname"))
python.call(
    name="load",
    function=register("load", "cat /proc/loadavg | cut -d' ' -f1"),
)
server.shell(
    name="kaiwudb state",
    commands=["systemctl is-active kaiwudb; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 3 ]"],
)
if not host.get_fact(File, path="/opt/bench-marker"):
    server.shell(
        name="marker",
        commands=[f"echo {host.name} > /opt/bench-marker"],
    )
python.call(name="read marker", function=register("marker", "cat /opt/bench-marker"))


def summarize():
    found["summary"] = f"{found['name']} {found['load']}"
    assert found["marker"] == host.name, found["marker"]
    assert len(found["summary"]) > 0


python.call(name="set_fact and assert", function=summarize)
server.shell(name="kernel", commands=["uname -r"])
server.shell(name="etc", commands=["ls /etc | wc -l"])
python.call(name="uid", function=register("uid", "id -u"))
python.call(
    name="debug",
    function=lambda: print(f"{host.name}: {found['summary']} uid={found['uid']}"),
)
server.shell(name="true", commands=["true"])
