using Ganss.Xss;
using Markdig;

namespace Blog.Web.Infrastructure;

/// <summary>
/// Markdown (Markdig) to safe HTML. Raw HTML in the Markdown is not passed through: it is escaped, so a
/// <c>&lt;script&gt;</c> in a post shows as text. HtmlSanitizer then cleans the output as a second line of
/// defence (javascript: links, event-handler attributes from generic attributes, anything unexpected).
/// </summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseTaskLists()
        .UseAutoIdentifiers()
        .Build();

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    public string ToSafeHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }

        var html = Markdown.ToHtml(markdown, _pipeline);
        return _sanitizer.Sanitize(html);
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.UnionWith(["http", "https", "mailto"]);
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedAttributes.Add("id");
        sanitizer.AllowedTags.ExceptWith(["form", "button", "textarea", "select", "option"]);
        // Inputs stay only as the disabled checkboxes of task lists.
        sanitizer.AllowedTags.Add("input");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement element)
            {
                if (element.LocalName == "input" && element.GetAttribute("type") != "checkbox")
                {
                    element.Remove();
                }
                else if (element.LocalName == "input")
                {
                    element.SetAttribute("disabled", "disabled");
                }
                else if (element.LocalName == "a")
                {
                    // User-written links: no ranking credit, no window.opener.
                    element.SetAttribute("rel", "nofollow ugc noopener noreferrer");
                }
            }
        };
        return sanitizer;
    }
}
