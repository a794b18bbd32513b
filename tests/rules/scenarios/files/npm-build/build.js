// An ordinary build step: generate a file.
require("fs").writeFileSync(__dirname + "/out.json", JSON.stringify({ n: [1, 2, 3].length }));
