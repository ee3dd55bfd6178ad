package markdown_test

import (
	"fmt"

	"github.com/hakui-dev/hakui/internal/markdown"
)

func ExampleRender() {
	fmt.Print(markdown.Render("**承継**の相談です\n詳しくは[こちら](https://example.com)<script>alert(1)</script>"))
	// Output:
	// <p><strong>承継</strong>の相談です<br>
	// 詳しくは<a href="https://example.com" target="_blank" rel="nofollow noreferrer noopener">こちら</a>alert(1)</p>
}

func ExampleExcerpt() {
	fmt.Println(markdown.Excerpt("# 医療機器の選び方\n\n開業前に**何を**揃えるべきでしょうか。", 15))
	// Output:
	// 医療機器の選び方 開業前に何を…
}
