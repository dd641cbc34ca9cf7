module github.com/forkjs/forkjs

go 1.26
