// One queue of read-modify-write steps on chrome.storage.session. Such a step awaits the storage, so two
// messages handled at once could each read the old state and the second write would lose the first's
// change; steps run through one queue run one after another. Each module keeps its own queue for its own
// keys.

/** A function that runs the async steps it is given one at a time, in order; a failed step does not stop the queue. */
export function serialQueue() {
  let last = Promise.resolve();
  return (step) => {
    const next = last.then(step, step);
    last = next.catch(() => {});
    return next;
  };
}
