//! Where the site is written.

use std::ffi::OsString;

cases! {
    output_pointing_at_the_site_itself {
        intent: "--output pointing at the site itself",
        code: 1,
        setup: |_| {},
        args: |s| vec![OsString::from("--output"), s.root().into()],
    }

    // Added with issue #13: what teachers hit.
    output_pointing_at_content {
        intent: "--output pointing at content/",
        code: 1,
        setup: |_| {},
        args: |s| vec![OsString::from("--output"), s.root().join("content").into()],
    }
    output_inside_content {
        intent: "--output content/posts",
        code: 1,
        setup: |_| {},
        args: |s| vec![OsString::from("--output"), s.root().join("content/posts").into()],
    }
    output_pointing_at_a_file {
        intent: "--output pointing at a file",
        code: 1,
        setup: |s| {
            s.file("notes.txt", "mine");
        },
        args: |s| vec![OsString::from("--output"), s.root().join("notes.txt").into()],
    }
    output_pointing_at_the_folder_above {
        intent: "--output .. (the folder that holds the site)",
        code: 1,
        setup: |_| {},
        args: |s| vec![OsString::from("--output"), s.root().join("..").into()],
    }
}
