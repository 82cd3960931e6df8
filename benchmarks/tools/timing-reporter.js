'use strict';
// A pa11y-ci reporter for benchmarks/crawl_bench.py: writes when the URL queue started and ended
// (from after pa11y-ci launched its browser, as portalscore's and the floor's clocks start, to after
// it closed it: the close is counted against pa11y-ci) and how many pages it evaluated without an error.
// Options: {"fileName": "/abs/path.json"}.
const fs = require('fs');

module.exports = function timingReporter(options = {}) {
	let start = 0;
	let evaluated = 0;
	let failed = 0;
	return {
		beforeAll() {
			start = performance.now();
		},
		results() {
			evaluated += 1;
		},
		error() {
			failed += 1;
		},
		afterAll(report) {
			const seconds = (performance.now() - start) / 1000;
			fs.writeFileSync(options.fileName, JSON.stringify({seconds, evaluated, failed, total: report.total}));
		}
	};
};
