"""The companion application as a whole: what it does at start, before any page asks."""

from companion.app import init_app
from companion.appkeys import run_on_worker
from companion.fields import vocabulary
from companion.fields.model import load_model
from companion.settings import Settings
from tests.companion.conftest import free_port


async def test_the_companion_readies_the_field_model_before_any_page_asks(aiohttp_client, data_dir):
    # The first page the person opens should not wait the 0.1 s it takes to load the model and build
    # the keyword index: the worker does both as soon as the companion starts.
    load_model.cache_clear()
    vocabulary._index.cache_clear()
    port = free_port()
    client = await aiohttp_client(init_app(data_dir, Settings(port=port)), server_kwargs={"port": port})
    await run_on_worker(client.app, lambda: None)  # one worker, jobs in order: anything queued at start is done
    assert load_model.cache_info().currsize == 1
    assert vocabulary._index.cache_info().currsize == 1
