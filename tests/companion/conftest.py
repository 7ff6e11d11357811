import socket

import pytest

from companion.app import init_app
from companion.settings import DataDir, Settings

PASSPHRASE = "a long and unguessable test passphrase"
VCARD = """BEGIN:VCARD
VERSION:4.0
FN:Ada Quintessa Lovelace
N:Lovelace;Ada;Quintessa;;
EMAIL;TYPE=home:ada.marker-7431@example.org
EMAIL;TYPE=work:ada.work-7431@example.net
TEL;VALUE=uri;TYPE=cell:tel:+44-7700-900431
ADR;TYPE=home:;;12 Marker Lane;Oxford;Oxfordshire;OX1 4AR;United Kingdom
BDAY:19791210
END:VCARD
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def data_dir(tmp_path):
    return DataDir(tmp_path / "data")


@pytest.fixture
async def companion(aiohttp_client, data_dir):
    """A real companion app on a real loopback port; `.token` is its bearer token."""
    port = free_port()
    app = init_app(data_dir, Settings(port=port))
    client = await aiohttp_client(app, server_kwargs={"port": port})
    client.token = data_dir.read_token()
    assert client.port == port
    return client
