"""Admin (data owners only): upload a new programme inventory, check it, see what would change, publish or discard."""

from core.serve.cache import ensure_navigation

ensure_navigation()

import logging

import streamlit as st

from core.base.errors import InputError
from core.base.export import to_csv_bytes
from core.base.markup import inert
from core.serve import admin, auth
from core.serve.cache import view
from core.serve.city import current_database as database_path  # the session's city, or the one database
from core.serve.page import header
from core.serve.tables import dataframe

log = logging.getLogger("core.serve.admin")

# The inventory banner is left off: this page shows the owner's own upload, not the published sample.
header("Admin: publish a new inventory", shows_inventory=False)
grant = auth.current_grant()
if grant is None:
    # app.py registers this page only for signed-in owners. This guard is for anything that runs the file anyway.
    st.error("This page is for the atlas's data owners. Sign in under 'Data owners' in the sidebar.")
    st.stop()

st.caption(f"Signed in as {inert(grant.user)}. Nothing you upload is public until you press Publish; the published "
           "atlas is replaced in one step, only after the whole upload has been checked and rebuilt.")


def forget_upload():
    admin.discard(st.session_state.pop("admin_staged", None))
    st.session_state.pop("admin_preview", None)


st.header("1. Upload the three inventory files")
st.markdown("Start from the published inventory or the blank template in `data/inventory/template/`; the column "
            "rules are in `data/inventory/README.md`.")
current = view(admin.published_inventory)()
cols = st.columns(len(current))
for col, (name, frame) in zip(cols, current.items()):
    col.download_button(f"Published {name}", to_csv_bytes(frame), name, "text/csv", key=f"admin_get_{name}")

uploads = {name: st.file_uploader(name, type="csv", key=f"admin_upload_{name}", on_change=forget_upload,
                                  max_upload_size=admin.MAX_UPLOAD_BYTES // 1_000_000)
           for name in admin.INVENTORY_FILES}
ready = all(f is not None for f in uploads.values())
if st.button("Check the upload", type="primary", disabled=not ready, key="admin_check"):
    forget_upload()
    staged = None
    try:
        staged = admin.stage_upload({name: f.getvalue() for name, f in uploads.items()})
        with st.spinner("Checking every cell and computing the coverage change…"):
            st.session_state.admin_preview = admin.check(staged, database_path())
        st.session_state.admin_staged = str(staged)
    except InputError as exc:
        admin.discard(staged)
        st.error(f"The upload was not accepted, and nothing was published. {inert(exc)}", icon=":material/block:")
    except Exception:
        # Anything else: the owner gets no traceback or server path; the server log keeps them.
        log.exception("checking an upload failed")
        admin.discard(staged)
        st.error("The check stopped unexpectedly, and nothing was published. The details are in the server log.",
                 icon=":material/block:")

preview = st.session_state.get("admin_preview")
if preview is not None:
    st.header("2. What would change")
    counts = preview.summary()
    after, delta, before = preview.headline()
    st.metric("Residents within reach of a programme, after publishing", after, delta=delta,
              help=f"{before} now. Default coverage settings (30 minutes' walk, step decay, place-based "
                   "programmes).")
    st.markdown(f"Programmes: **{counts['added']}** added, **{counts['removed']}** removed, "
                f"**{counts['changed']}** changed.")
    dataframe(preview.counts, hide_index=True, width="stretch", key="admin_counts")
    st.subheader("Programmes that differ")
    dataframe(preview.programmes, hide_index=True, width="stretch", key="admin_programmes")
    st.subheader("Reach by group, before and after")
    percent_column = st.column_config.NumberColumn(format="percent")
    dataframe(preview.reach, hide_index=True, width="stretch", key="admin_reach",
                 column_config={"residents": st.column_config.NumberColumn(format="localized"),
                                "share before": percent_column, "share after": percent_column,
                                "change": percent_column})
    st.subheader("Coverage by area, largest changes first")
    per_1000 = st.column_config.NumberColumn(format="%.2f")
    dataframe(preview.areas, hide_index=True, width="stretch", key="admin_areas",
                 column_config={"coverage per 1,000 before": per_1000, "coverage per 1,000 after": per_1000,
                                "coverage change": per_1000, "share in reach before": percent_column,
                                "share in reach after": percent_column})

    st.header("3. Publish or discard")
    left, right, _ = st.columns([1, 1, 4])
    publish, discard = (left.button("Publish", type="primary", key="admin_publish"),
                        right.button("Discard", key="admin_discard"))
    if publish:
        try:
            with st.status("Publishing: rebuilding the atlas with the new inventory…", expanded=True) as status:
                info = admin.publish(auth.current_grant(), st.session_state.get("admin_staged"), database_path(),
                                     progress=status.write)
                status.update(label="Published", state="complete", expanded=False)
            forget_upload()
            st.success(f"Published. The atlas now shows the new inventory (built {info['built_at']}).")
        except (InputError, auth.NotAuthorised, admin.PublishBusy, admin.JobFailed) as exc:
            st.error(f"Nothing was published. {inert(exc)}", icon=":material/block:")
        except Exception:
            log.exception("publishing an upload failed")
            st.error("Publishing stopped unexpectedly, and nothing was published. The details are in the server "
                     "log.", icon=":material/block:")
    if discard:
        forget_upload()
        st.rerun()
