// Benchmark baseline: the smallest JS JSON worker.
export default {
  fetch() {
    return Response.json({ hello: 'world' });
  },
};
